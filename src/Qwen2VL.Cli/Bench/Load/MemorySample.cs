namespace Qwen2VL.Cli.Bench.Load;

/// <summary>The server's resident memory at <paramref name="Seconds"/> into the run.</summary>
internal sealed record MemorySample(double Seconds, long Bytes);
