namespace Qwen2VL.Processing.Generation;

/// <summary>
/// Follows one sequence token by token and decides when it ends, in vLLM's order: EOS (unless ignored), stop token
/// ids, stop strings, then the length limits, so a token that both completes a stop string and reaches the limit
/// finishes with <see cref="FinishReason.Stop"/>. The text of a stopping token, a stop string and anything after it
/// are left out of the output, as the OpenAI API does; text held back for a possible stop string is released
/// whenever the sequence ends for another reason.
/// </summary>
/// <remarks>Not thread-safe: one sequence is advanced by one decode loop.</remarks>
public sealed class StopChecker
{
    private readonly StopConditions _conditions;
    private readonly int _promptTokenCount;
    private readonly StopSequenceMatcher _matcher;

    /// <summary>Starts checking a sequence whose prompt holds <paramref name="promptTokenCount"/> tokens.</summary>
    /// <exception cref="InvalidInputException">The prompt already fills the context (code <c>context_length_exceeded</c>).</exception>
    public StopChecker(StopConditions conditions, int promptTokenCount)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        ArgumentOutOfRangeException.ThrowIfNegative(promptTokenCount);
        if (promptTokenCount >= conditions.ContextLength)
        {
            throw new InvalidInputException("context_length_exceeded",
                $"the prompt has {promptTokenCount} tokens but the model's context holds {conditions.ContextLength}, leaving no room to generate");
        }

        _conditions = conditions;
        _promptTokenCount = promptTokenCount;
        _matcher = new StopSequenceMatcher(conditions.StopStrings);
    }

    /// <summary>How many tokens have been appended.</summary>
    public int GeneratedTokenCount { get; private set; }

    /// <summary>Why the sequence ended, or null while it goes on.</summary>
    public FinishReason? Finish { get; private set; }

    /// <summary>How many more tokens the sequence may generate before a length limit, or null without limits.</summary>
    public int? RemainingTokens
    {
        get
        {
            int? byBudget = _conditions.MaxNewTokens - GeneratedTokenCount;
            int? byContext = _conditions.ContextLength - _promptTokenCount - GeneratedTokenCount;
            return (byBudget, byContext) switch
            {
                (null, null) => null,
                (int b, null) => b,
                (null, int c) => c,
                (int b, int c) => Math.Min(b, c),
            };
        }
    }

    /// <summary>Takes the next generated token and the text it adds, and says what to send and whether to stop.</summary>
    /// <param name="tokenId">The token the sampler chose.</param>
    /// <param name="textDelta">The text the detokenizer produced for it (may be empty).</param>
    /// <exception cref="InvalidOperationException">The sequence already finished.</exception>
    public StopStep Append(int tokenId, string textDelta)
    {
        ArgumentNullException.ThrowIfNull(textDelta);
        if (Finish is not null)
        {
            throw new InvalidOperationException($"the sequence already finished ({Finish}) after {GeneratedTokenCount} tokens");
        }

        GeneratedTokenCount++;
        bool isEos = !_conditions.IgnoreEos && _conditions.EosTokenIds.Contains(tokenId);
        if (isEos || _conditions.StopTokenIds.Contains(tokenId))
        {
            return Finished(FinishReason.Stop, _matcher.Flush(), stopTokenId: tokenId);
        }

        var match = _matcher.Push(textDelta);
        if (match.Stopped)
        {
            return Finished(FinishReason.Stop, match.Text, stopString: match.StopString);
        }

        if (RemainingTokens <= 0)
        {
            return Finished(FinishReason.Length, match.Text + _matcher.Flush());
        }

        return new StopStep(match.Text, null);
    }

    private StopStep Finished(FinishReason reason, string text, string? stopString = null, int? stopTokenId = null)
    {
        Finish = reason;
        return new StopStep(text, reason, stopString, stopTokenId);
    }
}
