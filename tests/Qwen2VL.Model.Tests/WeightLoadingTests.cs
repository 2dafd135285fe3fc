using System.Globalization;
using Qwen2VL.Model.Stages;
using Qwen2VL.Model.Tests.Support;
using Qwen2VL.Model.Weights;
using Qwen2VL.Tests.Shared;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests;

[Collection(ModelCollection.Name)]
public class WeightLoadingTests
{
    private readonly ModelFixture _model;

    public WeightLoadingTests(ModelFixture model) => _model = model;

    [Fact]
    public void Load_ShardedCopy_EqualsSingleFile()
    {
        using var checkpoint = TempCheckpoint.Create(shardOf: ShardByLayer);
        Assert.True(File.Exists(Path.Combine(checkpoint.Directory, CheckpointIndex.IndexFileName)));
        using var stage = Qwen2VLStage.Load(checkpoint.Directory, ModelPlacement.CpuFloat32);
        AssertParameters(stage, p => p);
    }

    [Fact]
    public void Load_Float32Copy_EqualsBfloat16Original()
    {
        using var checkpoint = TempCheckpoint.Create("F32");
        using var stage = Qwen2VLStage.Load(checkpoint.Directory, ModelPlacement.CpuFloat32);
        AssertParameters(stage, p => p);
    }

    [Fact]
    public void Load_Float16Copy_EqualsOriginalRoundedToFloat16()
    {
        using var checkpoint = TempCheckpoint.Create("F16", shardOf: ShardByLayer);
        using var stage = Qwen2VLStage.Load(checkpoint.Directory, ModelPlacement.CpuFloat32);
        AssertParameters(stage, p => p.to(ScalarType.Float16).to(ScalarType.Float32));
    }

    [Fact]
    public void Load_IntoBfloat16_KeepsExactValues()
    {
        using var stage = Qwen2VLStage.Load(TestPaths.Checkpoint, new ModelPlacement(ScalarType.BFloat16, CPU));
        AssertParameters(stage, p => p);
    }

    [Fact]
    public void Load_StageOfShardedCopy_ReadsOnlyItsShards()
    {
        using var checkpoint = TempCheckpoint.Create(shardOf: ShardByLayer);
        int layers = _model.Stage.Config.NumHiddenLayers;
        // Corrupt every shard holding only the last layer: the first stage must not open it.
        var index = CheckpointIndex.Open(checkpoint.Directory);
        string lastLayerShard = Path.Combine(checkpoint.Directory, ShardFile(checkpoint, index, $"model.layers.{layers - 1}.mlp.up_proj.weight"));
        File.WriteAllBytes(lastLayerShard, new byte[] { 1, 2, 3 });

        using var first = Qwen2VLStage.Load(checkpoint.Directory, ModelPlacement.CpuFloat32, new LayerRange(0, layers - 1));
        AssertParameters(first, p => p);
        Assert.Throws<InvalidDataException>(() => Qwen2VLStage.Load(checkpoint.Directory, ModelPlacement.CpuFloat32, new LayerRange(layers - 1, layers)));
    }

    [Fact]
    public void Load_MissingTensor_ThrowsListingIt()
    {
        const string name = "model.layers.1.self_attn.q_proj.bias";
        using var checkpoint = TempCheckpoint.Create(edit: t => t.Remove(name));
        var error = Assert.Throws<CheckpointMismatchException>(() => Qwen2VLStage.Load(checkpoint.Directory, ModelPlacement.CpuFloat32));
        Assert.Equal(new[] { name }, error.Missing);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnexpectedTensors_ThrowsListingThem()
    {
        // The fixture ties its head to the embedding, so lm_head.weight must not be there either.
        using var checkpoint = TempCheckpoint.Create(edit: t =>
        {
            t["lm_head.weight"] = t["model.embed_tokens.weight"];
            t["model.layers.99.mlp.up_proj.weight"] = t["model.layers.0.mlp.up_proj.weight"];
        });
        var error = Assert.Throws<CheckpointMismatchException>(() => Qwen2VLStage.Load(checkpoint.Directory, ModelPlacement.CpuFloat32, new LayerRange(0, 1)));
        Assert.Equal(new[] { "lm_head.weight", "model.layers.99.mlp.up_proj.weight" }, error.Unexpected);
        Assert.Empty(error.Missing);
    }

    [Fact]
    public void Load_WrongShape_ThrowsWithBothShapes()
    {
        using var checkpoint = TempCheckpoint.Create(edit: t =>
        {
            var original = t["model.norm.weight"];
            t["model.norm.weight"] = original with { Shape = new[] { original.Shape[0] / 2 }, Data = original.Data[..(original.Data.Length / 2)] };
        });
        var error = Assert.Throws<InvalidDataException>(() => Qwen2VLStage.Load(checkpoint.Directory, ModelPlacement.CpuFloat32));
        Assert.Contains("model.norm.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains($"[{_model.Stage.Config.HiddenSize}]", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Vision and embedding in shard 0, layer i in shard i + 1, the final norm with the last layer.</summary>
    private static int ShardByLayer(string name)
    {
        if (name.StartsWith("model.layers.", StringComparison.Ordinal))
        {
            return 1 + int.Parse(name.Split('.')[2], CultureInfo.InvariantCulture);
        }

        return name == "model.norm.weight" ? int.MaxValue : 0;
    }

    private static string ShardFile(TempCheckpoint checkpoint, CheckpointIndex index, string tensor) =>
        Path.GetFileName(index.Entry(tensor).FilePath);

    /// <summary>Every parameter equals the fixture tensor (as float32, through <paramref name="expected"/>) exactly.</summary>
    private static void AssertParameters(Qwen2VLStage stage, Func<Tensor, Tensor> expected)
    {
        var reference = TempCheckpoint.Original;
        foreach (var (name, parameter) in stage.named_parameters())
        {
            var golden = reference[name];
            var values = new float[golden.Data.Length / 2];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = BitConverter.Int32BitsToSingle(BitConverter.ToUInt16(golden.Data, 2 * i) << 16);
            }

            using var original = tensor(values, golden.Shape);
            using var want = expected(original);
            using var have = parameter.to(ScalarType.Float32);
            Assert.True(TensorAssert.MaxAbsDiff(want, have) == 0, $"parameter {name} differs from the fixture by {TensorAssert.MaxAbsDiff(want, have)}");
        }
    }
}
