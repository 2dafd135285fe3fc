using Qwen2VL.Cli.Bench;

namespace Qwen2VL.Cli.Tests;

public sealed class StreamTimingTests
{
    [Fact]
    public void AggregateDecodeRate_LockstepStreams_CountsOnlyTheSharedWindow()
    {
        // Two streams stepping together every 0.1 s after different first tokens (prefill) and ends.
        var a = Timing(0.5, 0.6, 0.7, 0.8, 0.9);
        var b = Timing(0.6, 0.7, 0.8, 0.9, 1.0);

        double rate = StreamTiming.AggregateDecodeRate([a, b]);

        // Window (0.6, 0.9]: a has 0.7, 0.8, 0.9; b has 0.7, 0.8, 0.9 → 6 tokens in 0.3 s.
        Assert.Equal(20, rate, 6);
    }

    private static StreamTiming Timing(params double[] times) => StreamTiming.FromTimes(0, times);
}
