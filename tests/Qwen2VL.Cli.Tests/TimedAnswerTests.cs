using Qwen2VL.Cli.Bench.Cluster;

namespace Qwen2VL.Cli.Tests;

/// <summary>The per-token arithmetic of the cluster suites, on arrival times worked out by hand.</summary>
public sealed class TimedAnswerTests
{
    [Fact]
    public void SecondsPerToken_ElevenTokensOverOneSecond_IsATenthOfASecond()
    {
        Assert.Equal(0.1, new TimedAnswer(1.0, 2.0, 11, "x").SecondsPerToken, 12);
    }

    [Fact]
    public void SecondsPerToken_OneToken_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new TimedAnswer(1.0, 1.0, 1, "x").SecondsPerToken);
    }

    [Fact]
    public void AggregateDecodeRate_TwoOverlappingAnswers_CountsTokensAfterEachFirstOverTheWholeWindow()
    {
        // 10 + 13 decode tokens from the earliest first arrival (1.0 s) to the latest last one (2.5 s).
        var answers = new[] { new TimedAnswer(1.0, 2.0, 11, "a"), new TimedAnswer(1.2, 2.5, 14, "b") };

        Assert.Equal(23 / 1.5, TimedAnswer.AggregateDecodeRate(answers), 9);
    }

    [Fact]
    public void SameAs_SameTextOtherTokenCount_IsFalse()
    {
        Assert.True(new TimedAnswer(0, 1, 5, "abc").SameAs(new TimedAnswer(2, 4, 5, "abc")));
        Assert.False(new TimedAnswer(0, 1, 5, "abc").SameAs(new TimedAnswer(0, 1, 4, "abc")));
        Assert.False(new TimedAnswer(0, 1, 5, "abc").SameAs(new TimedAnswer(0, 1, 5, "abd")));
    }
}
