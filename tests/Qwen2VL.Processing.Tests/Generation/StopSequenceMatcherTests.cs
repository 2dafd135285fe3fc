using Qwen2VL.Processing.Generation;

namespace Qwen2VL.Processing.Tests.Generation;

public class StopSequenceMatcherTests
{
    [Fact]
    public void Push_StopSplitAcrossChunks_HoldsBackThenStops()
    {
        var matcher = new StopSequenceMatcher(["</end>"]);
        Assert.Equal(new StopSequenceMatch("hello ", null), matcher.Push("hello </"));
        Assert.Equal("</", matcher.HeldBack);
        Assert.Equal(new StopSequenceMatch("", null), matcher.Push("en"));
        Assert.Equal(new StopSequenceMatch("", "</end>"), matcher.Push("d> and more"));
    }

    [Fact]
    public void Push_FalseAlarm_ReleasesHeldText()
    {
        var matcher = new StopSequenceMatcher(["</end>"]);
        Assert.Equal("hello ", matcher.Push("hello </").Text);
        Assert.Equal("</b> ok", matcher.Push("b> ok").Text);
        Assert.Equal("", matcher.HeldBack);
    }

    [Fact]
    public void Push_TextBeforeStopInSameChunk_IsReleasedWithoutStop()
    {
        var matcher = new StopSequenceMatcher(["STOP"]);
        Assert.Equal(new StopSequenceMatch("abc ", "STOP"), matcher.Push("abc STOP def"));
    }

    [Fact]
    public void Push_OneCharacterAtATime_NeverReleasesPartOfStop()
    {
        // "aab" inside "xaaab": after "xaaa" only "x" and one "a" are safe; the rest could still become "aab".
        var matcher = new StopSequenceMatcher(["aab"]);
        string[] released = [.. "xaaa".Select(c => matcher.Push(c.ToString()).Text)];
        Assert.Equal(["x", "", "", "a"], released);
        Assert.Equal("aa", matcher.HeldBack);
        Assert.Equal(new StopSequenceMatch("", "aab"), matcher.Push("b"));
    }

    [Fact]
    public void Push_HoldBack_IsOnlyTheSuffixThatCanStillStartAStop()
    {
        // "ab" could start "abc"; "xa" could not start anything but its "a" could, so only "ab" is held.
        var matcher = new StopSequenceMatcher(["abc", "zz"]);
        Assert.Equal("xa", matcher.Push("xaab").Text);
        Assert.Equal("ab", matcher.HeldBack);
        Assert.Equal("xyz", new StopSequenceMatcher(["abc"]).Push("xyz").Text);
    }

    [Fact]
    public void Push_OverlappingStops_EarliestCompletedWins()
    {
        // Stream "xab" then "cd": "abc" completes at the 'c', before "bcd" would.
        var first = new StopSequenceMatcher(["bcd", "abc"]);
        Assert.Equal("x", first.Push("xab").Text);
        Assert.Equal(new StopSequenceMatch("", "abc"), first.Push("cd"));

        // In one chunk: "bc" completes before "abcd" does, so the output keeps the "a".
        Assert.Equal(new StopSequenceMatch("a", "bc"), new StopSequenceMatcher(["abcd", "bc"]).Push("abcd"));

        // Both end on the same character: the one starting first cuts more.
        Assert.Equal(new StopSequenceMatch("1", "ab"), new StopSequenceMatcher(["b", "ab"]).Push("1ab2"));
    }

    [Fact]
    public void Push_StopThatIsPrefixOfAnother_StopsAtTheShortOne()
    {
        var matcher = new StopSequenceMatcher(["ab", "abc"]);
        Assert.Equal(new StopSequenceMatch("x", "ab"), matcher.Push("xab"));
    }

    [Fact]
    public void Push_Unicode_MatchesAcrossChunks()
    {
        var matcher = new StopSequenceMatcher(["こんにちは"]);
        Assert.Equal("今日は、", matcher.Push("今日は、こん").Text);
        Assert.Equal("", matcher.Push("にち").Text);
        Assert.Equal(new StopSequenceMatch("", "こんにちは"), matcher.Push("は世界"));
    }

    [Fact]
    public void Push_EmojiStopSplitBetweenSurrogates_Matches()
    {
        var matcher = new StopSequenceMatcher(["😀!"]);
        Assert.Equal("hi ", matcher.Push("hi \uD83D").Text);
        Assert.Equal("", matcher.Push("\uDE00").Text);
        Assert.Equal(new StopSequenceMatch("", "😀!"), matcher.Push("!"));
    }

    [Fact]
    public void Push_HoldBack_NeverSplitsASurrogatePair()
    {
        // "😁" shares its high surrogate with the stop "😀", but the pair must leave as one character.
        var matcher = new StopSequenceMatcher(["😀"]);
        Assert.Equal("a😁", matcher.Push("a😁").Text);
        // A chunk ending on a lone high surrogate keeps it until its partner arrives, even without a stop string.
        var plain = new StopSequenceMatcher(["zz"]);
        Assert.Equal("b", plain.Push("b\uD83D").Text);
        Assert.Equal("😁", plain.Push("\uDE01").Text);
    }

    [Fact]
    public void Flush_AfterHoldBack_ReturnsHeldText()
    {
        var matcher = new StopSequenceMatcher(["###"]);
        Assert.Equal("end ", matcher.Push("end ##").Text);
        Assert.Equal("##", matcher.Flush());
        Assert.Equal("", matcher.HeldBack);
    }

    [Fact]
    public void Push_NoStops_ReleasesEverything()
    {
        var matcher = new StopSequenceMatcher([]);
        Assert.Equal("anything", matcher.Push("anything").Text);
    }

    [Fact]
    public void Push_AfterStop_Throws()
    {
        var matcher = new StopSequenceMatcher(["x"]);
        matcher.Push("x");
        Assert.Throws<InvalidOperationException>(() => matcher.Push("y"));
    }

    [Fact]
    public void Constructor_EmptyStop_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new StopSequenceMatcher(["a", ""]));
        Assert.Contains("stop string 1", error.Message, StringComparison.Ordinal);
    }
}
