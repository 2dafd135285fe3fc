using Qwen2VL.Server.Hub;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.Hub;

public class ModelResolverDownloadTests
{
    [Fact]
    public async Task ResolveAsync_ColdCache_SnapshotEqualsFixtureByteForByte()
    {
        await using var context = await HubTestContext.StartAsync();
        var options = HubTestContext.Options();

        string folder = await context.Resolver().ResolveAsync(HubTestContext.Repo, options);

        Assert.Equal(Path.Combine(context.RepoFolder, "snapshots", FakeHub.CommitSha), folder);
        FolderAssert.Equal(TestPaths.Checkpoint, folder);
        var progress = Assert.IsType<RecordingProgress>(options.Progress).Finals;
        Assert.All(progress, final => Assert.Equal(final.TotalBytes, final.DoneBytes));
        Assert.Equal(new FileInfo(Path.Combine(TestPaths.Checkpoint, "model.safetensors")).Length, progress[^1].TotalBytes);
    }

    [Fact]
    public async Task ResolveAsync_ColdCache_WritesHuggingfaceHubLayout()
    {
        await using var context = await HubTestContext.StartAsync();

        string folder = await context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options());

        Assert.Equal(FakeHub.CommitSha, File.ReadAllText(Path.Combine(context.RepoFolder, "refs", "main")));
        var weights = new FileInfo(Path.Combine(folder, "model.safetensors"));
        Assert.Equal($"../../blobs/{context.Hub.Sha256Of("model.safetensors")}", weights.LinkTarget);
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles())
        {
            Assert.NotNull(file.LinkTarget);
            Assert.False(Path.IsPathRooted(file.LinkTarget), $"{file.Name} links to an absolute path");
        }

        string[] blobs = [.. Directory.EnumerateFiles(Path.Combine(context.RepoFolder, "blobs")).Select(Path.GetFileName)!];
        Assert.Equal(Directory.EnumerateFiles(TestPaths.Checkpoint).Count(), blobs.Length);
        Assert.DoesNotContain(blobs, blob => blob.EndsWith(".incomplete", StringComparison.Ordinal));
        Assert.Contains(context.Hub.Sha256Of("model.safetensors"), blobs);
    }

    [Fact]
    public async Task ResolveAsync_SecondRun_DownloadsNothing()
    {
        await using var context = await HubTestContext.StartAsync();
        var resolver = context.Resolver();
        string first = await resolver.ResolveAsync(HubTestContext.Repo, HubTestContext.Options());
        int before = context.Hub.Requests.Count;

        string second = await resolver.ResolveAsync(HubTestContext.Repo, HubTestContext.Options());

        Assert.Equal(first, second);
        var after = context.Hub.Requests.Skip(before).ToList();
        Assert.Single(after);
        Assert.StartsWith("/api/models/", after[0].Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_TagAndCommitSha_ShareTheSnapshotAndBlobs()
    {
        await using var context = await HubTestContext.StartAsync();
        var resolver = context.Resolver();
        string main = await resolver.ResolveAsync(HubTestContext.Repo, HubTestContext.Options());
        int before = context.Hub.Requests.Count;

        string tagged = await resolver.ResolveAsync(HubTestContext.Repo, HubTestContext.Options(FakeHub.Tag));
        string pinned = await resolver.ResolveAsync(HubTestContext.Repo, HubTestContext.Options(FakeHub.CommitSha));

        Assert.Equal(main, tagged);
        Assert.Equal(main, pinned);
        Assert.Equal(FakeHub.CommitSha, File.ReadAllText(Path.Combine(context.RepoFolder, "refs", FakeHub.Tag)));
        Assert.DoesNotContain(context.Hub.Requests.Skip(before), request => request.IsContentDownload);
    }

    [Fact]
    public async Task ResolveAsync_SnapshotLinkDeleted_RelinksFromBlobWithoutDownloading()
    {
        await using var context = await HubTestContext.StartAsync();
        var resolver = context.Resolver();
        string folder = await resolver.ResolveAsync(HubTestContext.Repo, HubTestContext.Options());
        File.Delete(Path.Combine(folder, "model.safetensors"));
        int before = context.Hub.Requests.Count;

        await resolver.ResolveAsync(HubTestContext.Repo, HubTestContext.Options());

        FolderAssert.Equal(TestPaths.Checkpoint, folder);
        Assert.DoesNotContain(context.Hub.Requests.Skip(before), request => request.IsContentDownload);
    }

    [Fact]
    public async Task ResolveAsync_TwoResolversShareACache_DownloadEachBlobOnce()
    {
        await using var context = await HubTestContext.StartAsync();

        // Two pipeline stages on one node start at once; the blob lock makes one wait for the other's download.
        string[] folders = await Task.WhenAll(
            context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options()),
            context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options()));

        Assert.Equal(folders[0], folders[1]);
        FolderAssert.Equal(TestPaths.Checkpoint, folders[0]);
        Assert.Single(context.Hub.Requests, request => request.Path.StartsWith("/cdn/", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(context.CacheDirectory, ".locks", "models--test-org--tiny-qwen2vl",
            context.Hub.Sha256Of("model.safetensors") + ".lock")));
    }

    [Fact]
    public async Task ResolveAsync_LocalFolder_ReturnsItAsIs()
    {
        await using var context = await HubTestContext.StartAsync();

        string folder = await context.Resolver().ResolveAsync(TestPaths.Checkpoint, HubTestContext.Options());

        Assert.Equal(Path.GetFullPath(TestPaths.Checkpoint), folder);
        Assert.Empty(context.Hub.Requests);
    }

    [Theory]
    [InlineData("no-slash")]
    [InlineData("a/b/c")]
    [InlineData("/no/such/folder")]
    [InlineData("owner/bad--name")]
    public async Task ResolveAsync_NeitherFolderNorHubId_ThrowsArgumentException(string model)
    {
        await using var context = await HubTestContext.StartAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => context.Resolver().ResolveAsync(model, HubTestContext.Options()));

        Assert.Contains(model, error.Message, StringComparison.Ordinal);
        Assert.Empty(context.Hub.Requests);
    }
}
