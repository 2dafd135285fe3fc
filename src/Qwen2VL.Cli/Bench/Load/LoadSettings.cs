namespace Qwen2VL.Cli.Bench.Load;

/// <summary>What one <c>bench load</c> run was asked to do.</summary>
/// <param name="Server">The server's HTTP address: the OpenAI API under <c>/v1</c> and the Prometheus <c>/metrics</c>.</param>
/// <param name="Api">The API the requests go to.</param>
/// <param name="GrpcServer">The server's gRPC address, used when <paramref name="Api"/> is gRPC.</param>
/// <param name="Concurrency">Workers, each sending its requests back to back.</param>
/// <param name="Duration">How long new requests are started; requests still running then are awaited.</param>
/// <param name="Warmup">Time after which the server's memory baseline is taken.</param>
/// <param name="MaxTokens">max_tokens of every request.</param>
/// <param name="ImageRatio">Fraction of requests that carry a generated PNG image.</param>
/// <param name="SessionTurns">0: stateless requests; N: each worker talks in server-side sessions of N turns.</param>
/// <param name="ApiKey">The API key sent with every request.</param>
/// <param name="Model">The model name; null asks the server (OpenAI) or uses its default (gRPC).</param>
/// <param name="SampleInterval">How often the server's memory is read from <c>/metrics</c>.</param>
/// <param name="Seed">Seed of the prompt mix, so two runs send the same requests.</param>
internal sealed record LoadSettings(
    Uri Server,
    LoadApi Api,
    Uri GrpcServer,
    int Concurrency,
    TimeSpan Duration,
    TimeSpan Warmup,
    int MaxTokens,
    double ImageRatio,
    int SessionTurns,
    string ApiKey,
    string? Model,
    TimeSpan SampleInterval,
    int Seed)
{
    /// <summary>How long requests still running at the end of <see cref="Duration"/> may take before they are cancelled.</summary>
    public static TimeSpan DrainLimit { get; } = TimeSpan.FromMinutes(2);
}
