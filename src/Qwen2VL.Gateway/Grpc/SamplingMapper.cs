using Qwen2VL.Api.V1;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Gateway.Validation;

namespace Qwen2VL.Gateway.Grpc;

/// <summary>
/// Reads <see cref="SamplingOptions"/> onto <see cref="ChatSampling"/>: every field the caller set is checked
/// against the shared ranges and wins; every field left unset keeps the given defaults (a session's, or the
/// server's).
/// </summary>
public static class SamplingMapper
{
    public static ChatSampling ToChatSampling(SamplingOptions? options, ChatSampling defaults, ChatRequestLimits limits, string path)
    {
        if (options is null)
        {
            return defaults;
        }

        var stop = options.Stop.Count > 0 ? options.Stop.ToArray() : defaults.Stop;
        SamplingRules.CheckStops(stop, limits, $"{path}.stop");
        bool logprobs = options.HasLogprobs ? options.Logprobs : defaults.Logprobs;
        int topLogprobs = options.HasTopLogprobs ? Checked(options.TopLogprobs, SamplingRules.TopLogprobs, $"{path}.top_logprobs") : defaults.TopLogprobs;
        SamplingRules.CheckTopLogprobs(logprobs, topLogprobs, $"{path}.top_logprobs");
        return new ChatSampling(
            Temperature: options.HasTemperature ? Checked(options.Temperature, SamplingRules.Temperature, $"{path}.temperature") : defaults.Temperature,
            TopP: options.HasTopP ? Checked(options.TopP, SamplingRules.TopP, $"{path}.top_p") : defaults.TopP,
            TopK: options.HasTopK ? SamplingRules.NormalizeTopK(Checked(options.TopK, SamplingRules.TopK, $"{path}.top_k")) : defaults.TopK,
            MinP: options.HasMinP ? Checked(options.MinP, SamplingRules.MinP, $"{path}.min_p") : defaults.MinP,
            RepetitionPenalty: options.HasRepetitionPenalty
                ? Checked(options.RepetitionPenalty, SamplingRules.RepetitionPenalty, $"{path}.repetition_penalty")
                : defaults.RepetitionPenalty,
            PresencePenalty: options.HasPresencePenalty
                ? Checked(options.PresencePenalty, SamplingRules.PresencePenalty, $"{path}.presence_penalty")
                : defaults.PresencePenalty,
            FrequencyPenalty: options.HasFrequencyPenalty
                ? Checked(options.FrequencyPenalty, SamplingRules.FrequencyPenalty, $"{path}.frequency_penalty")
                : defaults.FrequencyPenalty,
            Seed: options.HasSeed ? options.Seed : defaults.Seed,
            MaxTokens: options.HasMaxTokens ? Checked(options.MaxTokens, SamplingRules.MaxTokens, $"{path}.max_tokens") : defaults.MaxTokens,
            Stop: stop,
            Logprobs: logprobs,
            TopLogprobs: topLogprobs);
    }

    /// <summary>The settings as the API shows them: only what differs from the server's defaults is set.</summary>
    public static SamplingOptions ToApi(ChatSampling sampling)
    {
        var options = new SamplingOptions { Stop = { sampling.Stop } };
        if (sampling.Temperature is { } temperature)
        {
            options.Temperature = temperature;
        }

        if (sampling.TopP is { } topP)
        {
            options.TopP = topP;
        }

        if (sampling.TopK is { } topK)
        {
            options.TopK = topK;
        }

        if (sampling.MinP is { } minP)
        {
            options.MinP = minP;
        }

        if (sampling.RepetitionPenalty is { } repetition)
        {
            options.RepetitionPenalty = repetition;
        }

        if (sampling.PresencePenalty != 0)
        {
            options.PresencePenalty = sampling.PresencePenalty;
        }

        if (sampling.FrequencyPenalty != 0)
        {
            options.FrequencyPenalty = sampling.FrequencyPenalty;
        }

        if (sampling.Seed is { } seed)
        {
            options.Seed = seed;
        }

        if (sampling.MaxTokens is { } maxTokens)
        {
            options.MaxTokens = maxTokens;
        }

        if (sampling.Logprobs)
        {
            options.Logprobs = true;
        }

        if (sampling.TopLogprobs != 0)
        {
            options.TopLogprobs = sampling.TopLogprobs;
        }

        return options;
    }

    private static float Checked(float value, NumericRange range, string path)
    {
        range.Check(value, path);
        return value;
    }

    private static int Checked(int value, NumericRange range, string path)
    {
        range.Check(value, path);
        return value;
    }
}
