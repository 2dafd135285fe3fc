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
}
