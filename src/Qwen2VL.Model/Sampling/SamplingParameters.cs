using System.Globalization;

namespace Qwen2VL.Model.Sampling;

/// <summary>
/// How one sequence picks its next tokens, with the ranges the OpenAI API and vLLM accept. Every value is checked
/// when the record is built; a bad one throws <see cref="InvalidSamplingParameterException"/> whose
/// <see cref="ArgumentException.ParamName"/> is the API field name (e.g. <c>top_p</c>) and whose message gives the
/// value, so a server can answer 400 without translating.
/// </summary>
/// <remarks>
/// Properties are get-only (no <c>with</c>): every instance went through the constructor's checks.
/// Stop strings are text, so they live with the torch-free stop conditions, not here.
/// </remarks>
public sealed record SamplingParameters
{
    /// <summary>The most alternatives one position may report, as the OpenAI chat API allows.</summary>
    public const int MaxTopLogprobs = 20;

    /// <summary>Temperatures below this are greedy, as in vLLM: dividing by them would overflow the logits.</summary>
    public const double GreedyTemperatureEpsilon = 1e-5;

    /// <summary>Builds and checks the parameters; every argument defaults to "off" (plain sampling at temperature 1).</summary>
    /// <param name="temperature">Divides the logits; 0 (below <see cref="GreedyTemperatureEpsilon"/>) is greedy. At least 0.</param>
    /// <param name="topP">Keeps the smallest set of most likely tokens whose probability reaches it. In (0, 1]; 1 is off.</param>
    /// <param name="topK">Keeps the k most likely tokens (ties with the k-th kept). 0 or −1 is off, otherwise at least 1.</param>
    /// <param name="minP">Drops tokens less likely than <c>minP</c> × the top token's probability. In [0, 1]; 0 is off.</param>
    /// <param name="repetitionPenalty">Hugging Face's penalty on every token of prompt and output. Above 0; 1 is off.</param>
    /// <param name="presencePenalty">OpenAI's flat penalty on tokens already in the output. In [−2, 2].</param>
    /// <param name="frequencyPenalty">OpenAI's per-occurrence penalty on output tokens. In [−2, 2].</param>
    /// <param name="seed">Makes this sequence's draws reproducible, whatever else is in the batch; null draws from a shared source.</param>
    /// <param name="maxNewTokens">The most tokens to generate; null means up to the context length. At least 1.</param>
    /// <param name="stopTokenIds">Token ids that end the sequence besides EOS. Each at least 0.</param>
    /// <param name="ignoreEos">Keep generating after EOS (benchmarks).</param>
    /// <param name="logprobs">Report the log-probability of each chosen token.</param>
    /// <param name="topLogprobs">Also report this many most likely alternatives per position, 0 to 20; needs <paramref name="logprobs"/>.</param>
    public SamplingParameters(
        double temperature = 1.0,
        double topP = 1.0,
        int topK = 0,
        double minP = 0.0,
        double repetitionPenalty = 1.0,
        double presencePenalty = 0.0,
        double frequencyPenalty = 0.0,
        long? seed = null,
        int? maxNewTokens = null,
        IReadOnlyList<int>? stopTokenIds = null,
        bool ignoreEos = false,
        bool logprobs = false,
        int topLogprobs = 0)
    {
        Temperature = Check(temperature, "temperature", v => v >= 0, "must be at least 0 (0 is greedy)");
        TopP = Check(topP, "top_p", v => v > 0 && v <= 1, "must be in (0, 1]");
        if (topK < -1)
        {
            throw OutOfRange("top_k", topK, "must be 0 or -1 (off) or at least 1");
        }

        TopK = topK;
        MinP = Check(minP, "min_p", v => v >= 0 && v <= 1, "must be in [0, 1]");
        RepetitionPenalty = Check(repetitionPenalty, "repetition_penalty", v => v > 0, "must be greater than 0 (1 is off)");
        PresencePenalty = Check(presencePenalty, "presence_penalty", v => v >= -2 && v <= 2, "must be in [-2, 2]");
        FrequencyPenalty = Check(frequencyPenalty, "frequency_penalty", v => v >= -2 && v <= 2, "must be in [-2, 2]");
        Seed = seed;
        if (maxNewTokens is < 1)
        {
            throw OutOfRange("max_tokens", maxNewTokens.Value, "must be at least 1");
        }

        MaxNewTokens = maxNewTokens;
        int[] stops = stopTokenIds?.ToArray() ?? [];
        int negative = Array.FindIndex(stops, id => id < 0);
        if (negative >= 0)
        {
            throw OutOfRange("stop_token_ids", stops[negative], $"entry {negative} is negative; token ids are at least 0");
        }

        StopTokenIds = stops;
        IgnoreEos = ignoreEos;
        Logprobs = logprobs;
        if (topLogprobs is < 0 or > MaxTopLogprobs)
        {
            throw OutOfRange("top_logprobs", topLogprobs, $"must be in [0, {MaxTopLogprobs}]");
        }

        if (topLogprobs > 0 && !logprobs)
        {
            throw new InvalidSamplingParameterException("top_logprobs",
                $"top_logprobs is {topLogprobs} but logprobs is false; set logprobs to true to use top_logprobs");
        }

        TopLogprobs = topLogprobs;
    }

    /// <summary>Plain greedy decoding: the most likely token every step.</summary>
    public static SamplingParameters Greedy { get; } = new(temperature: 0);

    /// <summary>The logit divisor; below <see cref="GreedyTemperatureEpsilon"/> the sequence is greedy.</summary>
    public double Temperature { get; }

    /// <summary>Nucleus threshold in (0, 1]; 1 is off.</summary>
    public double TopP { get; }

    /// <summary>How many top tokens to keep; 0 or −1 is off.</summary>
    public int TopK { get; }

    /// <summary>Fraction of the top probability a token needs to stay; 0 is off.</summary>
    public double MinP { get; }

    /// <summary>Hugging Face repetition penalty over prompt and output tokens; 1 is off.</summary>
    public double RepetitionPenalty { get; }

    /// <summary>OpenAI presence penalty over output tokens; 0 is off.</summary>
    public double PresencePenalty { get; }

    /// <summary>OpenAI frequency penalty over output tokens; 0 is off.</summary>
    public double FrequencyPenalty { get; }

    /// <summary>The seed of this sequence's own random stream, or null for the shared one.</summary>
    public long? Seed { get; }

    /// <summary>The most tokens to generate, or null for "until the context is full".</summary>
    public int? MaxNewTokens { get; }

    /// <summary>Token ids that end the sequence besides EOS.</summary>
    public IReadOnlyList<int> StopTokenIds { get; }

    /// <summary>Whether EOS is treated as an ordinary token.</summary>
    public bool IgnoreEos { get; }

    /// <summary>Whether the chosen token's log-probability is reported.</summary>
    public bool Logprobs { get; }

    /// <summary>How many alternatives are reported per position (0 to 20).</summary>
    public int TopLogprobs { get; }

    /// <summary>Whether the sequence takes the argmax instead of sampling.</summary>
    public bool IsGreedy => Temperature < GreedyTemperatureEpsilon;

    /// <summary>Whether top-k filtering is on (and k is not larger than the vocabulary, checked when sampling).</summary>
    public bool UsesTopK => TopK > 0;

    /// <summary>Whether nucleus filtering is on.</summary>
    public bool UsesTopP => TopP < 1.0;

    /// <summary>Whether min-p filtering is on.</summary>
    public bool UsesMinP => MinP > 0.0;

    /// <summary>Whether the Hugging Face repetition penalty is on.</summary>
    public bool UsesRepetitionPenalty => RepetitionPenalty != 1.0;

    /// <summary>Whether an OpenAI presence or frequency penalty is on.</summary>
    public bool UsesOutputPenalties => PresencePenalty != 0.0 || FrequencyPenalty != 0.0;

    /// <inheritdoc />
    public bool Equals(SamplingParameters? other) =>
        other is not null
        && Temperature == other.Temperature && TopP == other.TopP && TopK == other.TopK && MinP == other.MinP
        && RepetitionPenalty == other.RepetitionPenalty && PresencePenalty == other.PresencePenalty
        && FrequencyPenalty == other.FrequencyPenalty && Seed == other.Seed && MaxNewTokens == other.MaxNewTokens
        && IgnoreEos == other.IgnoreEos && Logprobs == other.Logprobs && TopLogprobs == other.TopLogprobs
        && StopTokenIds.SequenceEqual(other.StopTokenIds);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Temperature);
        hash.Add(TopP);
        hash.Add(TopK);
        hash.Add(MinP);
        hash.Add(RepetitionPenalty);
        hash.Add(PresencePenalty);
        hash.Add(FrequencyPenalty);
        hash.Add(Seed);
        hash.Add(MaxNewTokens);
        hash.Add(IgnoreEos);
        hash.Add(Logprobs);
        hash.Add(TopLogprobs);
        foreach (int id in StopTokenIds)
        {
            hash.Add(id);
        }

        return hash.ToHashCode();
    }

    private static double Check(double value, string name, Func<double, bool> isValid, string rule)
    {
        // NaN fails every comparison, and infinities are never meaningful here.
        if (!double.IsFinite(value) || !isValid(value))
        {
            throw OutOfRange(name, value, rule);
        }

        return value;
    }

    private static InvalidSamplingParameterException OutOfRange(string name, object value, string rule) =>
        new(name, $"{name} is {Convert.ToString(value, CultureInfo.InvariantCulture)}; it {rule}");
}
