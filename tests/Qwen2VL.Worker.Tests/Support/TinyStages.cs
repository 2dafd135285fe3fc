using Qwen2VL.Model;
using Qwen2VL.Model.Stages;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Worker.Tests.Support;

/// <summary>The tiny checkpoint's stages loaded in this process (float32, CPU, one thread), each range once.</summary>
public sealed class TinyStages : IDisposable
{
    public static readonly int[] EosTokenIds = { 151645, 151643 };

    private readonly Dictionary<LayerRange, Qwen2VLStage> _stages = new();

    public TinyStages()
    {
        TorchRuntime.SetThreads(1);
        Whole = Get(new LayerRange(0, 3));
    }

    public Qwen2VLStage Whole { get; }

    public Qwen2VLStage Get(LayerRange range)
    {
        lock (_stages)
        {
            if (!_stages.TryGetValue(range, out var stage))
            {
                stage = Qwen2VLStage.Load(TestPaths.Checkpoint, ModelPlacement.CpuFloat32, range);
                _stages.Add(range, stage);
            }

            return stage;
        }
    }

    /// <summary>The first stage of an even split into <paramref name="count"/> stages.</summary>
    public Qwen2VLStage First(int count) => Get(LayerRange.Split(Whole.Config.NumHiddenLayers, count)[0]);

    public void Dispose()
    {
        foreach (var stage in _stages.Values)
        {
            stage.Dispose();
        }
    }
}
