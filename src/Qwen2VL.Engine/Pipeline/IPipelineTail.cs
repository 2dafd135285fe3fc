using static TorchSharp.torch;

namespace Qwen2VL.Engine.Pipeline;

/// <summary>
/// The stages after the driver's, as one: they run their layers on a step against their own share of each sequence's
/// KV cache and return the float32 logits of the requested rows. Sampling stays on the driver, which keeps sampling
/// state in one place and makes one-stage and N-stage runs bit-identical. Implementations are used by one thread at
/// a time (the scheduler, or one upstream stream).
/// </summary>
public interface IPipelineTail : IAsyncDisposable
{
    /// <summary>
    /// Runs the step through every later stage. Returns float32 logits [LogitRows, vocab], owned by the caller (not in
    /// any dispose scope), or null when no rows were asked for. Throws <see cref="PipelineStageException"/> when a
    /// stage fails or refuses the step.
    /// </summary>
    Task<Tensor?> ForwardAsync(PipelineStep step, CancellationToken cancellationToken);

    /// <summary>Drops the caches under <paramref name="cacheKeys"/> on every later stage; unknown keys are ignored.</summary>
    Task ReleaseAsync(IReadOnlyList<string> cacheKeys, CancellationToken cancellationToken);
}
