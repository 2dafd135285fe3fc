namespace Qwen2VL.Processing.Generation;

/// <summary>
/// When one sequence ends: stop strings, stop token ids, EOS (unless ignored), a budget of new tokens and the model's
/// context length. Built from the same request fields as the sampling parameters; checked on construction, a bad
/// value throws <see cref="InvalidInputException"/> with a message that gives it.
/// </summary>
public sealed record StopConditions
{
    /// <summary>Builds and checks the conditions.</summary>
    /// <param name="stopStrings">Text that ends the sequence (excluded from the output); each non-empty.</param>
    /// <param name="stopTokenIds">Token ids that end the sequence besides EOS; each at least 0.</param>
    /// <param name="eosTokenIds">The model's end-of-sequence ids (Qwen2-VL has two); each at least 0.</param>
    /// <param name="ignoreEos">Treat EOS as an ordinary token (stop token ids still stop).</param>
    /// <param name="maxNewTokens">The most tokens to generate, or null for "until the context is full"; at least 1.</param>
    /// <param name="contextLength">The most tokens prompt and output may hold together, or null for no limit; at least 1.</param>
    public StopConditions(
        IReadOnlyList<string>? stopStrings = null,
        IReadOnlyList<int>? stopTokenIds = null,
        IReadOnlyList<int>? eosTokenIds = null,
        bool ignoreEos = false,
        int? maxNewTokens = null,
        int? contextLength = null)
    {
        string[] strings = stopStrings?.ToArray() ?? [];
        int empty = Array.FindIndex(strings, string.IsNullOrEmpty);
        if (empty >= 0)
        {
            throw new InvalidInputException("invalid_stop", $"stop string {empty} of {strings.Length} is empty; stop strings need at least one character");
        }

        StopStrings = strings;
        StopTokenIds = CheckIds(stopTokenIds, "stop_token_ids");
        EosTokenIds = CheckIds(eosTokenIds, "eos_token_id");
        IgnoreEos = ignoreEos;
        if (maxNewTokens is < 1)
        {
            throw new InvalidInputException("invalid_max_tokens", $"max_tokens is {maxNewTokens}; it must be at least 1");
        }

        if (contextLength is < 1)
        {
            throw new InvalidInputException("invalid_context_length", $"context length is {contextLength}; it must be at least 1");
        }

        MaxNewTokens = maxNewTokens;
        ContextLength = contextLength;
    }

    /// <summary>Text that ends the sequence; the output stops just before it.</summary>
    public IReadOnlyList<string> StopStrings { get; }

    /// <summary>Token ids that end the sequence whether or not EOS is ignored.</summary>
    public IReadOnlyList<int> StopTokenIds { get; }

    /// <summary>The model's end-of-sequence ids.</summary>
    public IReadOnlyList<int> EosTokenIds { get; }

    /// <summary>Whether EOS is an ordinary token.</summary>
    public bool IgnoreEos { get; }

    /// <summary>The most tokens to generate, or null.</summary>
    public int? MaxNewTokens { get; }

    /// <summary>The most tokens prompt and output may hold together, or null.</summary>
    public int? ContextLength { get; }

    /// <inheritdoc />
    public bool Equals(StopConditions? other) =>
        other is not null && IgnoreEos == other.IgnoreEos && MaxNewTokens == other.MaxNewTokens
        && ContextLength == other.ContextLength && StopStrings.SequenceEqual(other.StopStrings, StringComparer.Ordinal)
        && StopTokenIds.SequenceEqual(other.StopTokenIds) && EosTokenIds.SequenceEqual(other.EosTokenIds);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(IgnoreEos, MaxNewTokens, ContextLength, StopStrings.Count, StopTokenIds.Count, EosTokenIds.Count);

    private static int[] CheckIds(IReadOnlyList<int>? ids, string field)
    {
        int[] copy = ids?.ToArray() ?? [];
        int negative = Array.FindIndex(copy, id => id < 0);
        if (negative >= 0)
        {
            throw new InvalidInputException("invalid_stop", $"{field} entry {negative} is {copy[negative]}; token ids are at least 0");
        }

        return copy;
    }
}
