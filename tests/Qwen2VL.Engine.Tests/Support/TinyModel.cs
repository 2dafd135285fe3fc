using Microsoft.Extensions.Logging.Abstractions;
using Qwen2VL.Model;
using Qwen2VL.Model.Stages;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Engine.Tests.Support;

/// <summary>The fixture checkpoint loaded once (float32, CPU) for all engine tests.</summary>
public sealed class TinyModel : IDisposable
{
    public TinyModel()
    {
        TorchRuntime.SetThreads(1);
        Stage = Qwen2VLStage.Load(TestPaths.Checkpoint, ModelPlacement.CpuFloat32);
    }

    private readonly Dictionary<LayerRange, Qwen2VLStage> _stages = new();

    public Qwen2VLStage Stage { get; }

    /// <summary>The stages of an even split into <paramref name="count"/> (loaded once; stages hold no sequence state).</summary>
    public IReadOnlyList<Qwen2VLStage> Split(int count)
    {
        lock (_stages)
        {
            return LayerRange.Split(Stage.Config.NumHiddenLayers, count).Select(range =>
            {
                if (!_stages.TryGetValue(range, out var stage))
                {
                    stage = Qwen2VLStage.Load(TestPaths.Checkpoint, ModelPlacement.CpuFloat32, range);
                    _stages.Add(range, stage);
                }

                return stage;
            }).ToList();
        }
    }

    public static readonly int[] EosTokenIds = { 151645, 151643 };

    public InferenceEngine Engine(EngineOptions? options = null) =>
        new(Stage, EosTokenIds, options ?? new EngineOptions(), NullLogger<InferenceEngine>.Instance);

    public void Dispose()
    {
        Stage.Dispose();
        foreach (var stage in _stages.Values)
        {
            stage.Dispose();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TinyModelCollection : ICollectionFixture<TinyModel>
{
    public const string Name = "tiny model";
}
