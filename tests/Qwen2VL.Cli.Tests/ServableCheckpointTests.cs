using Qwen2VL.Cli.Bench.Checkpoint;
using Qwen2VL.Cli.Bench.Cluster;
using Qwen2VL.Processing.Text;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Cli.Tests;

/// <summary>A random bench checkpoint borrows the tiny checkpoint's tokenizer so that a server can load it.</summary>
public sealed class ServableCheckpointTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("qwen2vl-servable-test").FullName;

    [Fact]
    public void WithTokenizerOf_RandomCheckpoint_BecomesServableAndKeepsItsOwnFiles()
    {
        string config = File.ReadAllText(Path.Combine(TestPaths.Checkpoint, "config.json"));
        string random = RandomCheckpoint.Ensure(config, _folder, _ => { });
        File.WriteAllText(Path.Combine(random, "generation_config.json"), """{"bos_token_id": 7}""");
        Assert.NotNull(ServableCheckpoint.Resolve(random).Problem);

        ServableCheckpoint.WithTokenizerOf(random, TestPaths.Checkpoint);

        Assert.Equal((random, (string?)null), ServableCheckpoint.Resolve(random));
        var tokenizer = Qwen2Tokenizer.FromCheckpoint(random);
        Assert.Equal(Qwen2Tokenizer.FromCheckpoint(TestPaths.Checkpoint).Encode("Hello, 世界"), tokenizer.Encode("Hello, 世界"));
        Assert.NotNull(ChatTemplate.FromCheckpoint(random));
        // Files the checkpoint has already are its own: never replaced.
        Assert.Contains("7", File.ReadAllText(Path.Combine(random, "generation_config.json")), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
