using Qwen2VL.Engine.Pipeline;
using static TorchSharp.torch;

namespace Qwen2VL.Worker.Tests.Support;

/// <summary>Passes steps through and keeps a copy of every logits tensor the tail returns.</summary>
public sealed class RecordingTail : IPipelineTail
{
    private readonly IPipelineTail _inner;

    public RecordingTail(IPipelineTail inner) => _inner = inner;

    /// <summary>Logits per step, as float arrays [rows × vocab].</summary>
    public List<float[]> Logits { get; } = new();

    public async Task<Tensor?> ForwardAsync(PipelineStep step, CancellationToken cancellationToken)
    {
        var logits = await _inner.ForwardAsync(step, cancellationToken);
        if (logits is not null)
        {
            lock (Logits)
            {
                Logits.Add(logits.data<float>().ToArray());
            }
        }

        return logits;
    }

    public Task ReleaseAsync(IReadOnlyList<string> cacheKeys, CancellationToken cancellationToken) => _inner.ReleaseAsync(cacheKeys, cancellationToken);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
