using Qwen2VL.Model.Stages;
using Qwen2VL.Tests.Shared;
using TorchSharp;

namespace Qwen2VL.Model.Tests.Support;

/// <summary>The fixture checkpoint loaded once (float32, CPU, whole model) and shared by the model tests.</summary>
public sealed class ModelFixture : IDisposable
{
    public ModelFixture()
    {
        // One intra-op thread keeps timings and results steady on a shared machine.
        torch.set_num_threads(1);
        Stage = Qwen2VLStage.Load(TestPaths.Checkpoint, ModelPlacement.CpuFloat32);
    }

    /// <summary>The whole model as one stage.</summary>
    public Qwen2VLStage Stage { get; }

    public void Dispose() => Stage.Dispose();
}

/// <summary>Tests that use the loaded model run one after another and share it.</summary>
[CollectionDefinition(Name)]
public sealed class ModelCollection : ICollectionFixture<ModelFixture>
{
    public const string Name = "Model";
}
