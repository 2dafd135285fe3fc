namespace Qwen2VL.Grains.Abstractions.Chat;

/// <summary>
/// How to pick tokens. Every member is optional: a session keeps defaults, a turn may override some of them, and the
/// worker fills what is still unset from the model's generation config.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SamplingSettings
{
    // Serialized through this field: the property copies to an array, so stored JSON never names a compiler-made list type.
    [Id(9)] private readonly string[]? _stop;

    /// <summary>Settings with nothing set.</summary>
    public static SamplingSettings None { get; } = new();

    /// <summary>Softmax temperature; 0 means greedy.</summary>
    [Id(0)] public float? Temperature { get; init; }

    /// <summary>Nucleus sampling mass.</summary>
    [Id(1)] public float? TopP { get; init; }

    /// <summary>Keep only the k most likely tokens.</summary>
    [Id(2)] public int? TopK { get; init; }

    /// <summary>Drop tokens less likely than this fraction of the most likely one.</summary>
    [Id(3)] public float? MinP { get; init; }

    /// <summary>Multiplicative penalty on tokens already present.</summary>
    [Id(4)] public float? RepetitionPenalty { get; init; }

    /// <summary>Additive penalty on tokens already generated.</summary>
    [Id(5)] public float? PresencePenalty { get; init; }

    /// <summary>Additive penalty proportional to how often a token was generated.</summary>
    [Id(6)] public float? FrequencyPenalty { get; init; }

    /// <summary>Random seed, for reproducible sampling.</summary>
    [Id(7)] public long? Seed { get; init; }

    /// <summary>The most tokens to generate in one turn.</summary>
    [Id(8)] public int? MaxTokens { get; init; }

    /// <summary>Report the log probability of each generated token.</summary>
    [Id(10)] public bool? Logprobs { get; init; }

    /// <summary>Also report this many most likely alternatives per generated token (needs <see cref="Logprobs"/>).</summary>
    [Id(11)] public int? TopLogprobs { get; init; }

    /// <summary>Strings that end the answer when generated.</summary>
    public IReadOnlyList<string>? Stop
    {
        get => _stop;
        init => _stop = value?.ToArray();
    }

    /// <summary>These settings with every member that <paramref name="overrides"/> sets replaced by its value.</summary>
    public SamplingSettings With(SamplingSettings? overrides) => overrides is null ? this : new SamplingSettings
    {
        Temperature = overrides.Temperature ?? Temperature,
        TopP = overrides.TopP ?? TopP,
        TopK = overrides.TopK ?? TopK,
        MinP = overrides.MinP ?? MinP,
        RepetitionPenalty = overrides.RepetitionPenalty ?? RepetitionPenalty,
        PresencePenalty = overrides.PresencePenalty ?? PresencePenalty,
        FrequencyPenalty = overrides.FrequencyPenalty ?? FrequencyPenalty,
        Seed = overrides.Seed ?? Seed,
        MaxTokens = overrides.MaxTokens ?? MaxTokens,
        Stop = overrides.Stop ?? Stop,
        Logprobs = overrides.Logprobs ?? Logprobs,
        TopLogprobs = overrides.TopLogprobs ?? TopLogprobs,
    };
}
