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

    public Qwen2VLStage Stage { get; }

    public static readonly int[] EosTokenIds = { 151645, 151643 };

    public InferenceEngine Engine(EngineOptions? options = null) =>
        new(Stage, EosTokenIds, options ?? new EngineOptions(), NullLogger<InferenceEngine>.Instance);

    public void Dispose() => Stage.Dispose();
}

[CollectionDefinition(Name)]
public sealed class TinyModelCollection : ICollectionFixture<TinyModel>
{
    public const string Name = "tiny model";
}
