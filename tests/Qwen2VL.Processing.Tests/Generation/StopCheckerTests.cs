using Qwen2VL.Processing.Generation;

namespace Qwen2VL.Processing.Tests.Generation;

public class StopCheckerTests
{
    private const int ImEnd = 151645;
    private const int EndOfText = 151643;

    private static readonly int[] QwenEos = [ImEnd, EndOfText];

    [Fact]
    public void Append_Eos_StopsWithoutItsTextAndReleasesHeldText()
    {
        var checker = new StopChecker(new StopConditions(stopStrings: ["##"], eosTokenIds: QwenEos), 10);
        Assert.Equal(new StopStep("Hi ", null), checker.Append(1, "Hi #"));
        var step = checker.Append(ImEnd, "<|im_end|>");
        Assert.Equal(new StopStep("#", FinishReason.Stop, StopTokenId: ImEnd), step);
        Assert.Equal(FinishReason.Stop, checker.Finish);
    }

    [Fact]
    public void Append_EosIgnored_GoesOnAsText()
    {
        var checker = new StopChecker(new StopConditions(eosTokenIds: QwenEos, ignoreEos: true, maxNewTokens: 5), 10);
        Assert.Equal(new StopStep("", null), checker.Append(EndOfText, ""));
        Assert.Null(checker.Finish);
    }

    [Fact]
    public void Append_StopTokenId_StopsEvenWhenEosIgnored()
    {
        var checker = new StopChecker(new StopConditions(stopTokenIds: [42], eosTokenIds: QwenEos, ignoreEos: true), 3);
        Assert.Equal(new StopStep("", FinishReason.Stop, StopTokenId: 42), checker.Append(42, "x"));
    }

    [Fact]
    public void Append_StopStringAcrossTokens_StopsAndDropsIt()
    {
        var checker = new StopChecker(new StopConditions(stopStrings: ["\nUser:"]), 3);
        string[] texts = ["Sure", ".\nUs", "er", ": next"];
        var steps = texts.Select((t, i) => checker.Append(i, t)).ToList();
        Assert.Equal(["Sure", ".", "", ""], steps.Select(s => s.Text));
        Assert.Equal(new StopStep("", FinishReason.Stop, StopString: "\nUser:"), steps[^1]);
    }

    [Fact]
    public void Append_MaxNewTokens_FinishesWithLengthAndReleasesHeldText()
    {
        var checker = new StopChecker(new StopConditions(stopStrings: ["stop here"], maxNewTokens: 2), 3);
        Assert.Equal(new StopStep("a ", null), checker.Append(1, "a "));
        Assert.Equal(new StopStep("b stop", FinishReason.Length), checker.Append(2, "b stop"));
        Assert.Equal(2, checker.GeneratedTokenCount);
        Assert.Equal(0, checker.RemainingTokens);
    }

    [Fact]
    public void Append_ContextFull_FinishesWithLength()
    {
        var checker = new StopChecker(new StopConditions(maxNewTokens: 100, contextLength: 12), 10);
        Assert.Equal(2, checker.RemainingTokens);
        Assert.Null(checker.Append(1, "a").Finish);
        Assert.Equal(FinishReason.Length, checker.Append(2, "b").Finish);
    }

    [Fact]
    public void Append_StopStringOnLastAllowedToken_FinishesWithStop()
    {
        var checker = new StopChecker(new StopConditions(stopStrings: ["END"], maxNewTokens: 1), 3);
        Assert.Equal(new StopStep("ok", FinishReason.Stop, StopString: "END"), checker.Append(1, "okEND"));
    }

    [Fact]
    public void Append_EosOnLastAllowedToken_FinishesWithStop()
    {
        var checker = new StopChecker(new StopConditions(eosTokenIds: QwenEos, maxNewTokens: 1), 3);
        Assert.Equal(FinishReason.Stop, checker.Append(ImEnd, "").Finish);
    }

    [Fact]
    public void Append_AfterFinish_Throws()
    {
        var checker = new StopChecker(new StopConditions(maxNewTokens: 1), 3);
        checker.Append(1, "a");
        var error = Assert.Throws<InvalidOperationException>(() => checker.Append(2, "b"));
        Assert.Contains("Length", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RemainingTokens_NoLimits_IsNull()
    {
        Assert.Null(new StopChecker(new StopConditions(), 3).RemainingTokens);
    }

    [Fact]
    public void Constructor_PromptFillsContext_ThrowsContextLengthExceeded()
    {
        var error = Assert.Throws<InvalidInputException>(() => new StopChecker(new StopConditions(contextLength: 4096), 4096));
        Assert.Equal("context_length_exceeded", error.Code);
        Assert.Contains("4096 tokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StopConditions_InvalidValues_AreRejectedWithNumbers()
    {
        Assert.Equal("invalid_stop", Assert.Throws<InvalidInputException>(() => new StopConditions(stopStrings: ["ok", ""])).Code);
        Assert.Contains("-5", Assert.Throws<InvalidInputException>(() => new StopConditions(stopTokenIds: [-5])).Message, StringComparison.Ordinal);
        Assert.Contains("0", Assert.Throws<InvalidInputException>(() => new StopConditions(maxNewTokens: 0)).Message, StringComparison.Ordinal);
        Assert.Equal("invalid_context_length", Assert.Throws<InvalidInputException>(() => new StopConditions(contextLength: 0)).Code);
    }

    [Fact]
    public void StopConditions_SameValuesInNewLists_AreEqual()
    {
        Assert.Equal(new StopConditions(stopStrings: ["a"], eosTokenIds: QwenEos), new StopConditions(stopStrings: new List<string> { "a" }, eosTokenIds: [ImEnd, EndOfText]));
    }
}
