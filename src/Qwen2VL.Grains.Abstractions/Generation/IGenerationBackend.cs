using Qwen2VL.Grains.Abstractions.Workers;

namespace Qwen2VL.Grains.Abstractions.Generation;

/// <summary>
/// The data plane as the session grain sees it: runs generation on a pipeline of workers. The production
/// implementation calls the first stage's gRPC <c>Generate</c>; tests use a scripted fake.
/// </summary>
public interface IGenerationBackend
{
    /// <summary>
    /// Streams the answer for <paramref name="request"/>. Throws a <see cref="PipelineFailureException"/> subtype
    /// (possibly after some tokens) when the pipeline lost the cache or died; any other exception is taken as a
    /// problem with the request and is not retried elsewhere.
    /// </summary>
    IAsyncEnumerable<GenerationEvent> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken);

    /// <summary>Drops a sequence's KV cache on a pipeline; false when it held none.</summary>
    Task<bool> ReleaseCacheAsync(PipelineReference pipeline, string tenantId, string sequenceKey, CancellationToken cancellationToken);
}
