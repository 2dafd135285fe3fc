using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Validation;

/// <summary>What sampling settings a request may ask for, whichever API it arrives through.</summary>
public static class SamplingRules
{
    public static readonly NumericRange Temperature = new(0, 2);

    public static readonly NumericRange TopP = new(0, 1, MinExclusive: true);

    /// <summary>-1 and 0 both mean "no top-k" (vLLM and OpenAI-style clients use either).</summary>
    public static readonly NumericRange TopK = new(-1, int.MaxValue);

    public static readonly NumericRange MinP = new(0, 1);

    public static readonly NumericRange RepetitionPenalty = new(0, 2, MinExclusive: true);

    public static readonly NumericRange PresencePenalty = new(-2, 2);

    public static readonly NumericRange FrequencyPenalty = new(-2, 2);

    public static readonly NumericRange MaxTokens = new(1, int.MaxValue);

    public static readonly NumericRange TopLogprobs = new(0, 20);

    /// <summary>The backend's reading of a checked top_k: null when it disables top-k.</summary>
    public static int? NormalizeTopK(int? topK) => topK is 0 or -1 ? null : topK;

    /// <summary>Alternatives per token only make sense when log probabilities are returned at all.</summary>
    public static void CheckTopLogprobs(bool logprobs, int topLogprobs, string path)
    {
        if (topLogprobs > 0 && !logprobs)
        {
            throw OpenAiException.BadRequest("top_logprobs requires logprobs to be true", path);
        }
    }

    public static void CheckStops(IReadOnlyList<string> stops, ChatRequestLimits limits, string path)
    {
        if (stops.Count > limits.MaxStopSequences)
        {
            throw OpenAiException.BadRequest($"stop has {stops.Count} sequences; at most {limits.MaxStopSequences} are allowed", path);
        }

        if (stops.Any(s => s.Length == 0))
        {
            throw OpenAiException.BadRequest("stop sequences must not be empty", path);
        }
    }
}
