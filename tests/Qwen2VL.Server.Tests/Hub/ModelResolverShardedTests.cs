using Qwen2VL.Model.Stages;
using Qwen2VL.Server.Hub;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.Hub;

/// <summary>Writes the sharded copy of the fixture once for all sharded tests.</summary>
public sealed class ShardedFixture : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    /// <summary>Four shards: vision tower and embedding; layer 0; layer 1; layer 2 and the final norm.</summary>
    public ShardedFixture() => ShardedCheckpoint.Write(TestPaths.Checkpoint, Folder, 4, ShardOf);

    /// <summary>The sharded checkpoint folder.</summary>
    public string Folder => _folder.Path;

    /// <summary>The shard file names, first to last.</summary>
    public static string Shard(int number) => $"model-{number:D5}-of-00004.safetensors";

    /// <inheritdoc />
    public void Dispose() => _folder.Dispose();

    private static int ShardOf(string tensor) => tensor switch
    {
        _ when tensor.StartsWith("visual.", StringComparison.Ordinal) || tensor.StartsWith("model.embed_tokens.", StringComparison.Ordinal) => 0,
        _ when tensor.StartsWith("model.layers.0.", StringComparison.Ordinal) => 1,
        _ when tensor.StartsWith("model.layers.1.", StringComparison.Ordinal) => 2,
        _ => 3,
    };
}

public class ModelResolverShardedTests(ShardedFixture sharded) : IClassFixture<ShardedFixture>
{
    private static readonly string[] ConfigFiles =
    [
        "chat_template.json", "config.json", "generation_config.json", "merges.txt", "model.safetensors.index.json",
        "preprocessor_config.json", "tokenizer.json", "tokenizer_config.json", "vocab.json",
    ];

    [Fact]
    public async Task ResolveAsync_ShardedCheckpoint_SnapshotEqualsSourceByteForByte()
    {
        await using var context = await HubTestContext.StartAsync(sharded.Folder);

        string folder = await context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options());

        FolderAssert.Equal(sharded.Folder, folder);
    }

    [Theory]
    [InlineData(0, 1, new[] { 1, 2 })] // first stage: vision tower and embedding, layer 0
    [InlineData(1, 2, new[] { 3 })] // middle stage: its layer only
    [InlineData(2, 3, new[] { 1, 4 })] // last stage: layer 2, final norm, and the tied embedding as LM head
    [InlineData(0, 3, new[] { 1, 2, 3, 4 })] // one stage holding everything
    public async Task ResolveAsync_StageLayers_DownloadsOnlyItsShards(int start, int end, int[] shards)
    {
        await using var context = await HubTestContext.StartAsync(sharded.Folder);

        string folder = await context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options(layers: new LayerRange(start, end)));

        FolderAssert.HoldsExactly(sharded.Folder, folder, [.. ConfigFiles, .. shards.Select(ShardedFixture.Shard)]);
        Assert.Equal(shards.Length, context.Hub.Requests.Count(request => request.Path.StartsWith("/cdn/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ResolveAsync_OfflineAfterStageDownload_ResolvesThatStageOnly()
    {
        await using var context = await HubTestContext.StartAsync(sharded.Folder);
        await context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options(layers: new LayerRange(1, 2)));

        string folder = await context.Resolver(offline: true).ResolveAsync(HubTestContext.Repo, HubTestContext.Options(layers: new LayerRange(1, 2)));
        var error = await Assert.ThrowsAsync<ModelNotCachedException>(
            () => context.Resolver(offline: true).ResolveAsync(HubTestContext.Repo, HubTestContext.Options()));

        Assert.True(File.Exists(Path.Combine(folder, ShardedFixture.Shard(3))));
        Assert.Equal([ShardedFixture.Shard(1), ShardedFixture.Shard(2), ShardedFixture.Shard(4)], error.MissingFiles);
    }

    [Fact]
    public async Task ResolveAsync_LayersBeyondModel_ThrowsArgumentException()
    {
        await using var context = await HubTestContext.StartAsync(sharded.Folder);

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options(layers: new LayerRange(2, 5))));

        Assert.Contains("3 decoder layers", error.Message, StringComparison.Ordinal);
    }
}
