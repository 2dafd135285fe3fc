using Qwen2VL.Gateway.Backend;
using Qwen2VL.Grains.Abstractions.Chat;

namespace Qwen2VL.Server.Frontend;

/// <summary>Converts sampling settings between the gateway's records and the grain contracts (zero penalties, logprobs off and no top logprobs mean unset).</summary>
public static class SamplingMapping
{
    public static SamplingSettings ToSettings(ChatSampling s) => new()
    {
        Temperature = s.Temperature,
        TopP = s.TopP,
        TopK = s.TopK,
        MinP = s.MinP,
        RepetitionPenalty = s.RepetitionPenalty,
        PresencePenalty = s.PresencePenalty == 0 ? null : s.PresencePenalty,
        FrequencyPenalty = s.FrequencyPenalty == 0 ? null : s.FrequencyPenalty,
        Seed = s.Seed,
        MaxTokens = s.MaxTokens,
        Stop = s.Stop.Count == 0 ? null : s.Stop,
        Logprobs = s.Logprobs ? true : null,
        TopLogprobs = s.TopLogprobs == 0 ? null : s.TopLogprobs,
    };

    public static ChatSampling ToSampling(SamplingSettings s) => new(s.Temperature, s.TopP, s.TopK, s.MinP, s.RepetitionPenalty,
        s.PresencePenalty ?? 0, s.FrequencyPenalty ?? 0, s.Seed, s.MaxTokens, s.Stop ?? Array.Empty<string>(), s.Logprobs ?? false, s.TopLogprobs ?? 0);
}
