using Microsoft.Extensions.Logging.Abstractions;
using Qwen2VL.Server.Hub;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.Hub;

public class ModelResolverOfflineTests
{
    [Fact]
    public async Task ResolveAsync_OfflineWarmCache_ResolvesWithoutRequests()
    {
        await using var context = await HubTestContext.StartAsync();
        string online = await context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options());
        int before = context.Hub.Requests.Count;

        string offline = await context.Resolver(offline: true).ResolveAsync(HubTestContext.Repo, HubTestContext.Options());
        string pinned = await context.Resolver(offline: true).ResolveAsync(HubTestContext.Repo, HubTestContext.Options(FakeHub.CommitSha));

        Assert.Equal(online, offline);
        Assert.Equal(online, pinned);
        Assert.Equal(before, context.Hub.Requests.Count);
    }

    [Fact]
    public async Task ResolveAsync_OfflineColdCache_ThrowsNamingTheMissingRef()
    {
        await using var context = await HubTestContext.StartAsync();

        var error = await Assert.ThrowsAsync<ModelNotCachedException>(
            () => context.Resolver(offline: true).ResolveAsync(HubTestContext.Repo, HubTestContext.Options()));

        Assert.Equal(["refs/main"], error.MissingFiles);
        Assert.Contains("HF_HUB_OFFLINE", error.Message, StringComparison.Ordinal);
        Assert.Contains(HubTestContext.Repo, error.Message, StringComparison.Ordinal);
        Assert.Empty(context.Hub.Requests);
    }

    [Fact]
    public async Task ResolveAsync_OfflineSnapshotLacksFiles_ThrowsNamingThem()
    {
        await using var context = await HubTestContext.StartAsync();
        string folder = await context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options());
        File.Delete(Path.Combine(folder, "model.safetensors"));
        File.Delete(Path.Combine(folder, "tokenizer.json"));

        var error = await Assert.ThrowsAsync<ModelNotCachedException>(
            () => context.Resolver(offline: true).ResolveAsync(HubTestContext.Repo, HubTestContext.Options()));

        Assert.Contains("tokenizer.json", error.MissingFiles);
        Assert.Contains(error.MissingFiles, file => file.StartsWith("model.safetensors", StringComparison.Ordinal));
        Assert.Contains("tokenizer.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_HubUnreachableWarmCache_FallsBackToCache()
    {
        await using var context = await HubTestContext.StartAsync();
        string online = await context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options());

        // Same cache, a hub that is gone: nothing listens on the port of a stopped server.
        var unreachable = context.Settings() with { Endpoint = await StoppedServerEndpointAsync() };
        string fallback = await new ModelResolver(unreachable, NullLogger<ModelResolver>.Instance)
            .ResolveAsync(HubTestContext.Repo, HubTestContext.Options());

        Assert.Equal(online, fallback);
    }

    [Fact]
    public async Task ResolveAsync_HubUnreachableColdCache_ThrowsWithTheConnectionError()
    {
        using var cache = new TemporaryFolder();
        var settings = new HubSettings
        {
            Endpoint = await StoppedServerEndpointAsync(),
            CacheDirectory = cache.Path,
            Retry = new RetryPolicy(2, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10)),
        };

        var error = await Assert.ThrowsAsync<ModelNotCachedException>(
            () => new ModelResolver(settings, NullLogger<ModelResolver>.Instance).ResolveAsync(HubTestContext.Repo, HubTestContext.Options()));

        Assert.Contains("unreachable", error.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    private static async Task<Uri> StoppedServerEndpointAsync()
    {
        var hub = await FakeHub.StartAsync(TestPaths.Checkpoint);
        Uri endpoint = hub.Endpoint;
        await hub.DisposeAsync();
        return endpoint;
    }
}
