namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>One named, bounded group of measurements (run alone with <c>--suite NAME</c>).</summary>
internal interface IBenchSuite
{
    /// <summary>The name given to <c>--suite</c>.</summary>
    string Name { get; }

    /// <summary>Measures and records this suite's keys.</summary>
    Task RunAsync(BenchContext context, BenchResults results, CancellationToken cancellationToken);
}
