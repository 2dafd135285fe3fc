using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Model.Tests;

public class FixtureLayoutTests
{
    [Fact]
    public void Fixtures_HoldCheckpointAndCases()
    {
        Assert.True(File.Exists(Path.Combine(TestPaths.Checkpoint, "config.json")), TestPaths.Checkpoint);
        Assert.NotEmpty(Directory.GetDirectories(TestPaths.Cases));
    }

    [Fact]
    public void GoldenTensors_ReadCaseTensorsWithShapes()
    {
        var tensors = GoldenTensors.ForCase("a_text_only");
        var ids = tensors["input_ids"];
        Assert.Equal("I64", ids.DType);
        Assert.Equal(2, ids.Shape.Length);
        Assert.Equal(ids.ElementCount, ids.AsInt64().Length);
        Assert.Equal(151644, ids.AsInt64()[0]); // every rendered prompt starts with <|im_start|>
    }
}
