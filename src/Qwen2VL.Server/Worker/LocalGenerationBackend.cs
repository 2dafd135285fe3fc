using System.Runtime.CompilerServices;
using EngineRejectedException = Qwen2VL.Engine.EngineRejectedException;
using Qwen2VL.Engine.Text;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Grains.Abstractions.Workers;
using Qwen2VL.Model.Sampling;
using Qwen2VL.Processing;
using Qwen2VL.Processing.Prompt;
using GrainFinishReason = Qwen2VL.Grains.Abstractions.Sessions.FinishReason;

namespace Qwen2VL.Server.Worker;

/// <summary>
/// The data plane when the worker lives in the same process as the silo (the embedded default): runs the request on
/// the local engine. Request problems become <see cref="GenerationRejectedException"/>; a worker that is not (or no
/// longer) the one the pipeline names becomes a <see cref="PipelineFailureException"/>, so the grain moves on.
/// </summary>
public sealed class LocalGenerationBackend : IGenerationBackend
{
    private readonly LocalWorker _worker;
    private readonly IMediaStore _media;

    public LocalGenerationBackend(LocalWorker worker, IMediaStore media)
    {
        _worker = worker;
        _media = media;
    }

    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var model = await ModelForAsync(request.Pipeline).ConfigureAwait(false);
        TextGenerationRequest text;
        try
        {
            text = new TextGenerationRequest
            {
                TenantId = request.TenantId,
                SequenceKey = request.SequenceKey,
                Messages = await ToPromptAsync(request, model, cancellationToken).ConfigureAwait(false),
                Sampling = Sampling(request.Sampling, model.Defaults),
                StopStrings = request.Sampling.Stop ?? Array.Empty<string>(),
                ContinuationTokenIds = request.ContinuationTokenIds,
                KeepCache = request.KeepCache,
            };
        }
        catch (InvalidInputException e)
        {
            throw new GenerationRejectedException(e.Code, e.Message);
        }
        catch (InvalidSamplingParameterException e)
        {
            throw new GenerationRejectedException(InvalidSamplingParameterException.Code, e.Message);
        }

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
            catch (InvalidInputException e)
            {
                throw new GenerationRejectedException(e.Code, e.Message);
            }
            catch (EngineRejectedException e) when (!e.Retriable)
            {
                throw new GenerationRejectedException(e.Code, e.Message);
            }
            catch (EngineRejectedException e)
            {
                throw new PipelineUnreachableException(request.Pipeline.Id, LocalWorker.InProcessAddress, e.Message, e);
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
                    yield return new GeneratedTokens(delta.Text, delta.Tokens.Select(t => t.TokenId).ToArray());
                    break;
                case TextFinished finished:
                    yield return new GenerationFinished(finished.Reason == "length" ? GrainFinishReason.Length : GrainFinishReason.Stop, promptTokens, cachedTokens);
                    yield break;
            }
        }
    }

    public async Task<bool> ReleaseCacheAsync(PipelineReference pipeline, string tenantId, string sequenceKey, CancellationToken cancellationToken)
    {
        var model = await ModelForAsync(pipeline).ConfigureAwait(false);
        model.Generator.Engine.ReleaseCache(sequenceKey);
        return true;
    }

    private async Task<LoadedModel> ModelForAsync(PipelineReference pipeline)
    {
        var stage = pipeline.Stages.Count == 1 ? pipeline.Stages[0] : null;
        if (stage is null || stage.InstanceId != _worker.InstanceId)
        {
            throw new PipelineUnreachableException(pipeline.Id, pipeline.EntryAddress,
                "this process serves only its own in-process worker; remote pipelines need the gRPC backend");
        }

        return await _worker.Loaded.ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<PromptMessage>> ToPromptAsync(GenerationRequest request, LoadedModel model, CancellationToken cancellationToken)
    {
        var messages = new List<PromptMessage>(request.Conversation.Count);
        foreach (var message in request.Conversation)
        {
            var parts = new List<PromptPart>(message.Content.Count);
            foreach (var part in message.Content)
            {
                switch (part.Kind)
                {
                    case ContentKind.Text:
                        parts.Add(new PromptText(message.Role == ChatRole.Tool ? $"<tool_response>\n{part.Text}\n</tool_response>" : part.Text ?? ""));
                        break;
                    case ContentKind.Image:
                        parts.Add(new PromptImage((await LoadAsync(request.TenantId, part.Media!, cancellationToken).ConfigureAwait(false)).Bytes));
                        break;
                    case ContentKind.Video:
                        var video = await LoadAsync(request.TenantId, part.Media!, cancellationToken).ConfigureAwait(false);
                        parts.Add(new PromptVideo(await model.Videos.LoadBytesAsync(video.Bytes, cancellationToken: cancellationToken).ConfigureAwait(false)));
                        break;
                }
            }

            string role = message.Role switch
            {
                ChatRole.System => "system",
                ChatRole.Assistant => "assistant",
                _ => "user",
            };
            messages.Add(new PromptMessage(role, parts));
        }

        return messages;
    }

    private async Task<StoredMedia> LoadAsync(string tenantId, MediaReference reference, CancellationToken cancellationToken) =>
        await _media.GetAsync(tenantId, reference.ContentHash, cancellationToken).ConfigureAwait(false)
        ?? throw new GenerationRejectedException("media_not_found", $"media {reference.ContentHash} is not in this tenant's media store");

    private static SamplingParameters Sampling(SamplingSettings settings, GenerationDefaults defaults) => new(
        temperature: settings.Temperature ?? defaults.Temperature,
        topP: settings.TopP ?? defaults.TopP,
        topK: settings.TopK ?? defaults.TopK,
        minP: settings.MinP ?? 0,
        repetitionPenalty: settings.RepetitionPenalty ?? defaults.RepetitionPenalty,
        presencePenalty: settings.PresencePenalty ?? 0,
        frequencyPenalty: settings.FrequencyPenalty ?? 0,
        seed: settings.Seed,
        maxNewTokens: settings.MaxTokens);
}
