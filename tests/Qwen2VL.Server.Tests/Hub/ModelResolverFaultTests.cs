using System.Net;
using Qwen2VL.Server.Hub;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.Hub;

public class ModelResolverFaultTests
{
    private const long CutAt = 5_000_000;

    [Fact]
    public async Task ResolveAsync_ConnectionCutMidFile_ResumesWithRangeRequest()
    {
        await using var context = await HubTestContext.StartAsync();
        context.Hub.Faults.CutAfterBytesOnce = CutAt;

        string folder = await context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options());

        FolderAssert.Equal(TestPaths.Checkpoint, folder);
        var cdn = context.Hub.Requests.Where(request => request.Path.StartsWith("/cdn/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, cdn.Count);
        Assert.Null(cdn[0].Range);
        // The cut may land a little before CutAt when the client had not read the last buffer; never after it.
        long resumedAt = long.Parse(cdn[1].Range!["bytes=".Length..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(resumedAt, 1, CutAt);
    }

    [Fact]
    public async Task ResolveAsync_PartialFileFromEarlierRun_ResumesIt()
    {
        await using var context = await HubTestContext.StartAsync();
        string sha256 = context.Hub.Sha256Of("model.safetensors");
        string incomplete = Path.Combine(context.RepoFolder, "blobs", sha256 + ".incomplete");
        Directory.CreateDirectory(Path.GetDirectoryName(incomplete)!);
        File.WriteAllBytes(incomplete, File.ReadAllBytes(Path.Combine(TestPaths.Checkpoint, "model.safetensors")).AsSpan(0, 1234).ToArray());

        string folder = await context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options());

        FolderAssert.Equal(TestPaths.Checkpoint, folder);
        Assert.Contains(context.Hub.Requests, request => request.Range == "bytes=1234-");
        Assert.False(File.Exists(incomplete));
    }

    [Fact]
    public async Task ResolveAsync_ServerIgnoresRange_RestartsFromZero()
    {
        await using var context = await HubTestContext.StartAsync();
        context.Hub.Faults.IgnoreRange = true;
        context.Hub.Faults.CutAfterBytesOnce = CutAt;

        string folder = await context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options());

        FolderAssert.Equal(TestPaths.Checkpoint, folder);
        Assert.Contains(context.Hub.Requests, request => request.Path.StartsWith("/cdn/", StringComparison.Ordinal) && request.Range is not null);
    }

    [Fact]
    public async Task ResolveAsync_CorruptContent_ThrowsChecksumMismatchAndDeletesDownload()
    {
        await using var context = await HubTestContext.StartAsync();
        context.Hub.Faults.CorruptContent = true;
        string sha256 = context.Hub.Sha256Of("model.safetensors");

        var error = await Assert.ThrowsAsync<ChecksumMismatchException>(
            () => context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options()));

        Assert.Equal("model.safetensors", error.FileName);
        Assert.Contains(sha256, error.Expected, StringComparison.Ordinal);
        Assert.DoesNotContain(sha256, error.Actual, StringComparison.Ordinal);
        Assert.Contains(sha256, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(context.RepoFolder, "blobs", sha256)));
        Assert.False(File.Exists(Path.Combine(context.RepoFolder, "blobs", sha256 + ".incomplete")));
        Assert.False(File.Exists(Path.Combine(context.RepoFolder, "snapshots", FakeHub.CommitSha, "model.safetensors")));
    }

    [Fact]
    public async Task ResolveAsync_ServerErrorsThenSuccess_RetriesAndCompletes()
    {
        await using var context = await HubTestContext.StartAsync();
        context.Hub.Faults.ServerErrorsToSend = 2;

        string folder = await context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options());

        FolderAssert.Equal(TestPaths.Checkpoint, folder);
    }

    [Fact]
    public async Task ResolveAsync_ServerErrorsPersist_ThrowsWithStatusAndUrl()
    {
        await using var context = await HubTestContext.StartAsync();
        context.Hub.Faults.ServerErrorsToSend = 1000;

        // The listing fails; with a cold cache the fallback cannot help, and the error says why.
        var error = await Assert.ThrowsAsync<ModelNotCachedException>(
            () => context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options()));

        var cause = Assert.IsType<HubException>(error.InnerException);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, cause.StatusCode);
        Assert.Contains("503", error.Message, StringComparison.Ordinal);
        Assert.Contains(context.Hub.Endpoint.Authority, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_TokenRequiredButMissing_ThrowsAccessDeniedNamingHfToken()
    {
        await using var context = await HubTestContext.StartAsync(requiredToken: "hf_test_token");

        var error = await Assert.ThrowsAsync<HubAccessDeniedException>(
            () => context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options()));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains("HF_TOKEN", error.Message, StringComparison.Ordinal);
        Assert.Contains(HubTestContext.Repo, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_WrongToken_ThrowsAccessDeniedSayingTokenRejected()
    {
        await using var context = await HubTestContext.StartAsync(requiredToken: "hf_test_token");

        var error = await Assert.ThrowsAsync<HubAccessDeniedException>(
            () => context.Resolver(token: "hf_wrong").ResolveAsync(HubTestContext.Repo, HubTestContext.Options()));

        Assert.Contains("rejected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_WithToken_SendsBearerToHubButNotToCdn()
    {
        await using var context = await HubTestContext.StartAsync(requiredToken: "hf_test_token");

        string folder = await context.Resolver(token: "hf_test_token").ResolveAsync(HubTestContext.Repo, HubTestContext.Options());

        FolderAssert.Equal(TestPaths.Checkpoint, folder);
        Assert.All(context.Hub.Requests.Where(request => !request.Path.StartsWith("/cdn/", StringComparison.Ordinal)),
            request => Assert.Equal("Bearer hf_test_token", request.Authorization));
        Assert.All(context.Hub.Requests.Where(request => request.Path.StartsWith("/cdn/", StringComparison.Ordinal)),
            request => Assert.Null(request.Authorization));
    }

    [Fact]
    public async Task ResolveAsync_UnknownRepo_ThrowsNotFoundNamingRepo()
    {
        await using var context = await HubTestContext.StartAsync();

        var error = await Assert.ThrowsAsync<HubNotFoundException>(
            () => context.Resolver().ResolveAsync("test-org/no-such-model", HubTestContext.Options()));

        Assert.Contains("test-org/no-such-model does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_UnknownRevision_ThrowsNotFoundNamingRevision()
    {
        await using var context = await HubTestContext.StartAsync();

        var error = await Assert.ThrowsAsync<HubNotFoundException>(
            () => context.Resolver().ResolveAsync(HubTestContext.Repo, HubTestContext.Options("no-such-branch")));

        Assert.Contains("no revision 'no-such-branch'", error.Message, StringComparison.Ordinal);
    }
}
