namespace Qwen2VL.Cli.Bench;

/// <summary>What one bench run was asked to do.</summary>
/// <param name="Suites">Suite names to run, in the runner's fixed order.</param>
/// <param name="JsonPath">Where to write the results object, or null.</param>
/// <param name="ConfigJson">The model config text (the released 2B config unless another was given).</param>
/// <param name="CacheRoot">Folder for the generated checkpoints; null uses the system temporary folder.</param>
/// <param name="Threads">LibTorch intra-op threads; 0 keeps LibTorch's default.</param>
/// <param name="ServeModel">The checkpoint folder the cluster suites serve; null looks for the repository's tiny fixture.</param>
internal sealed record BenchSettings(IReadOnlySet<string> Suites, string? JsonPath, string ConfigJson, string? CacheRoot, int Threads, string? ServeModel = null);
