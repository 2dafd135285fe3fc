using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Workers;

namespace Qwen2VL.Grains.Tests.Fakes;

/// <summary>
/// A generation backend that answers from per-model scripts, records every call, and fails when told to. One
/// instance serves every silo of a test cluster (they share the process).
/// </summary>
public sealed class ScriptedGenerationBackend : IGenerationBackend
{
    private readonly ConcurrentDictionary<string, ModelScript> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<GenerationRequest> _requests = new();
    private readonly ConcurrentQueue<(string PipelineId, string SequenceKey)> _releases = new();

    /// <summary>The script of <paramref name="modelId"/>, created on first use.</summary>
    public ModelScript ForModel(string modelId) => _scripts.GetOrAdd(modelId, _ => new ModelScript());

    /// <summary>The calls made for <paramref name="modelId"/>, in order.</summary>
    public IReadOnlyList<GenerationRequest> RequestsFor(string modelId) =>
        [.. _requests.Where(r => r.Pipeline.ModelId == modelId)];

    /// <summary>The caches released, as (pipeline id, sequence key).</summary>
    public IReadOnlyList<(string PipelineId, string SequenceKey)> Releases => [.. _releases];

    /// <inheritdoc/>
    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(
        GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _requests.Enqueue(request);
        var script = ForModel(request.Pipeline.ModelId);
        var failure = script.TakeFailure(request.Pipeline.Id);
        int start = request.ContinuationTokenIds.Count;
        int emitted = 0;
        for (int i = start; i < script.Tokens.Count; i++)
        {
            ThrowIfPlanned(failure, emitted, request);
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return new GeneratedTokens(script.Tokens[i], [ModelScript.FirstTokenId + i],
                request.Sampling.Logprobs == true ? [ModelScript.LogprobOf(i, request.Sampling.TopLogprobs ?? 0)] : null);
            emitted++;
            if (emitted == 1 && script.HoldAfterFirstToken is { } hold)
            {
                await hold.Task.WaitAsync(cancellationToken);
            }
        }

        ThrowIfPlanned(failure, emitted, request);
        // Ten prompt tokens per message, plus the continuation, which the pipeline prefilled too.
        int promptTokens = (10 * request.Conversation.Count) + start;
        yield return new GenerationFinished(script.FinishReason, promptTokens, CachedPromptTokens: 0);
    }

    /// <inheritdoc/>
    public Task<bool> ReleaseCacheAsync(PipelineReference pipeline, string tenantId, string sequenceKey, CancellationToken cancellationToken)
    {
        _releases.Enqueue((pipeline.Id, sequenceKey));
        return Task.FromResult(true);
    }

    private static void ThrowIfPlanned(PipelineFailure? failure, int emitted, GenerationRequest request)
    {
        if (failure is null || emitted != failure.AfterTokens)
        {
            return;
        }

        throw failure.Kind switch
        {
            PipelineFailureKind.LeaseLost => new KvLeaseLostException(request.Pipeline.Id, request.SequenceKey, "evicted (scripted)"),
            _ => new PipelineUnreachableException(request.Pipeline.Id, request.Pipeline.EntryAddress, "connection reset (scripted)"),
        };
    }
}
