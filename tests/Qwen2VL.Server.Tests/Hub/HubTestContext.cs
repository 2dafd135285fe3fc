using Microsoft.Extensions.Logging.Abstractions;
using Qwen2VL.Model.Stages;
using Qwen2VL.Server.Hub;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.Hub;

/// <summary>A fake hub serving the tiny fixture checkpoint plus an empty cache folder, for one test.</summary>
public sealed class HubTestContext : IAsyncDisposable
{
    /// <summary>The repo id the fake hub serves.</summary>
    public const string Repo = "test-org/tiny-qwen2vl";

    private readonly TemporaryFolder _cache = new();

    private HubTestContext(FakeHub hub) => Hub = hub;

    /// <summary>The fake hub.</summary>
    public FakeHub Hub { get; }

    /// <summary>The hub cache folder (HF_HUB_CACHE).</summary>
    public string CacheDirectory => _cache.Path;

    /// <summary>The repo's folder inside the cache.</summary>
    public string RepoFolder => Path.Combine(CacheDirectory, "models--test-org--tiny-qwen2vl");

    /// <summary>Serves <paramref name="folder"/> (the fixture checkpoint when null).</summary>
    public static async Task<HubTestContext> StartAsync(string? folder = null, string? requiredToken = null) =>
        new(await FakeHub.StartAsync(folder ?? TestPaths.Checkpoint, Repo, requiredToken));

    /// <summary>Settings pointing at the fake hub and the temp cache, with quick retries.</summary>
    public HubSettings Settings(string? token = null, bool offline = false) => new()
    {
        Endpoint = Hub.Endpoint,
        CacheDirectory = CacheDirectory,
        Token = token,
        Offline = offline,
        Retry = new RetryPolicy(3, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)),
    };

    /// <summary>A resolver with <see cref="Settings"/>.</summary>
    public ModelResolver Resolver(string? token = null, bool offline = false) =>
        new(Settings(token, offline), NullLogger<ModelResolver>.Instance);

    /// <summary>Options that record progress instead of printing it.</summary>
    public static ModelDownloadOptions Options(string revision = "main", LayerRange? layers = null) =>
        new() { Revision = revision, Layers = layers, Progress = new RecordingProgress() };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        _cache.Dispose();
    }
}
