using System.Runtime.CompilerServices;
using EngineRejectedException = Qwen2VL.Engine.EngineRejectedException;
using Qwen2VL.Engine.Pipeline;
using Qwen2VL.Engine.Text;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Model.Sampling;
using Qwen2VL.Processing;
using GrainFinishReason = Qwen2VL.Grains.Abstractions.Sessions.FinishReason;

namespace Qwen2VL.Server.Worker;

/// <summary>
/// Runs one generation call on this process's loaded model, shared by the in-process backend and the worker gRPC
/// service. Request problems become <see cref="GenerationRejectedException"/>; conditions another pipeline could get
/// past (overload, shutdown, a failed later stage) become <see cref="WorkerUnavailableException"/>.
/// </summary>
public static class WorkerGeneration
{
    /// <summary>Streams the answer to <paramref name="request"/> (its pipeline is not looked at).</summary>
    public static async IAsyncEnumerable<GenerationEvent> RunAsync(
        LoadedModel model, GenerationRequest request, MediaResolver media, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        var text = await PrepareAsync(model, request, media, cancellationToken).ConfigureAwait(false);
        await using var events = model.Generator.GenerateAsync(text, cancellationToken).GetAsyncEnumerator(cancellationToken);
        int promptTokens = 0, cachedTokens = 0;
        while (true)
        {
            TextEvent item;
            try
            {
                if (!await events.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }

                item = events.Current;
            }
            catch (Exception e) when (Map(e) is { } mapped)
            {
                throw mapped;
            }

            switch (item)
            {
                case TextStarted started:
                    promptTokens = started.PromptTokens;
                    cachedTokens = started.CachedPromptTokens;
                    if (request.MaxContextTokens is int limit && promptTokens > limit)
                    {
                        throw new GenerationRejectedException("context_length_exceeded",
                            $"the prompt has {promptTokens} tokens; this tenant may use at most {limit}");
                    }

                    break;
                case TextDelta delta:
                    yield return new GeneratedTokens(delta.Text, delta.Tokens.Select(t => t.TokenId).ToArray(), Logprobs(delta.Tokens));
                    break;
                case TextFinished finished:
                    yield return new GenerationFinished(finished.Reason == "length" ? GrainFinishReason.Length : GrainFinishReason.Stop, promptTokens, cachedTokens);
                    yield break;
            }
        }
    }

    private static async Task<TextGenerationRequest> PrepareAsync(LoadedModel model, GenerationRequest request, MediaResolver media, CancellationToken cancellationToken)
    {
        try
        {
            return new TextGenerationRequest
            {
                TenantId = request.TenantId,
                SequenceKey = request.SequenceKey,
                Messages = await ConversationPrompt.BuildAsync(request.Conversation, media, model.Videos, model.FrameLists, cancellationToken).ConfigureAwait(false),
                Sampling = Sampling(request.Sampling, model.Defaults),
                StopStrings = request.Sampling.Stop ?? Array.Empty<string>(),
                ContinuationTokenIds = request.ContinuationTokenIds,
                KeepCache = request.KeepCache,
                ReuseKeys = request.ReuseKeys ?? Array.Empty<string>(),
            };
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>The exception callers see for <paramref name="e"/>, or null to let it pass unchanged.</summary>
    private static Exception? Map(Exception e) => e switch
    {
        InvalidInputException input => new GenerationRejectedException(input.Code, input.Message),
        InvalidSamplingParameterException sampling => new GenerationRejectedException(InvalidSamplingParameterException.Code, sampling.Message),
        EngineRejectedException { Retriable: false } engine => new GenerationRejectedException(engine.Code, engine.Message),
        EngineRejectedException engine => new WorkerUnavailableException(engine.Code, engine.Message, cacheLost: false, engine),
        // Every stage error is the pipeline's, not the request's: another pipeline may well serve it.
        PipelineStageException stage => new WorkerUnavailableException(stage.Code, stage.Message, stage.StateLost, stage),
        _ => null,
    };

    private static SamplingParameters Sampling(SamplingSettings settings, GenerationDefaults defaults) => new(
        temperature: settings.Temperature ?? defaults.Temperature,
        topP: settings.TopP ?? defaults.TopP,
        topK: settings.TopK ?? defaults.TopK,
        minP: settings.MinP ?? 0,
        repetitionPenalty: settings.RepetitionPenalty ?? defaults.RepetitionPenalty,
        presencePenalty: settings.PresencePenalty ?? 0,
        frequencyPenalty: settings.FrequencyPenalty ?? 0,
        seed: settings.Seed,
        maxNewTokens: settings.MaxTokens,
        logprobs: settings.Logprobs ?? false,
        topLogprobs: settings.TopLogprobs ?? 0);

    /// <summary>The tokens' logprobs, or null when the request did not ask for them (the engine then computes none).</summary>
    private static GeneratedLogprob[]? Logprobs(IReadOnlyList<GeneratedToken> tokens) =>
        tokens.Count == 0 || tokens.Any(t => t.Logprob is null)
            ? null
            : tokens.Select(t => new GeneratedLogprob(t.Text, t.Logprob!.Value,
                t.TopLogprobs.Select(a => new AlternativeLogprob(a.Text, a.Logprob)).ToArray())).ToArray();
}
