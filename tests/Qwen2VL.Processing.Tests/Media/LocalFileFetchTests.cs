using Qwen2VL.Processing.Media;

namespace Qwen2VL.Processing.Tests.Media;

public sealed class LocalFileFetchTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("qwen2vl-media-tests-").FullName;
    private readonly string _root;
    private readonly string _outside;

    public LocalFileFetchTests()
    {
        _root = Directory.CreateDirectory(Path.Combine(_folder, "root")).FullName;
        _outside = Directory.CreateDirectory(Path.Combine(_folder, "outside")).FullName;
        File.WriteAllBytes(Path.Combine(_root, "inside.png"), MediaTestServer.Png);
        File.WriteAllBytes(Path.Combine(_outside, "secret.png"), MediaTestServer.Png);
    }

    private MediaFetcher Fetcher(long maxBytes = 1_000_000) => new(new MediaFetchOptions { LocalRoots = [_root], MaxBytes = maxBytes });

    [Fact]
    public async Task FetchAsync_FileUnderRoot_ReadsIt()
    {
        using var fetcher = Fetcher();

        var byPath = await fetcher.FetchAsync(Path.Combine(_root, "inside.png"), MediaKind.Image);
        var byUrl = await fetcher.FetchAsync(new Uri(Path.Combine(_root, "inside.png")).AbsoluteUri, MediaKind.Image);

        Assert.Equal(MediaTestServer.Png, byPath.Data.ToArray());
        Assert.Equal("image/png", byUrl.MediaType);
    }

    [Fact]
    public async Task FetchAsync_NoRootsConfigured_RefusesLocalFiles()
    {
        using var fetcher = new MediaFetcher(new MediaFetchOptions());
        var ex = await Assert.ThrowsAsync<ForbiddenMediaSourceException>(() => fetcher.FetchAsync(Path.Combine(_root, "inside.png")));
        Assert.Equal(MediaErrorCodes.ForbiddenPath, ex.Code);
    }

    [Fact]
    public async Task FetchAsync_DotDotTraversal_IsRefused()
    {
        using var fetcher = Fetcher();
        string traversal = _root + "/../outside/secret.png";

        var ex = await Assert.ThrowsAsync<ForbiddenMediaSourceException>(() => fetcher.FetchAsync(traversal));

        Assert.Equal(MediaErrorCodes.ForbiddenPath, ex.Code);
    }

    [Fact]
    public async Task FetchAsync_RootNamePrefix_IsNotInside()
    {
        // "/x/root-evil" starts with "/x/root" but is not under it.
        string sibling = Directory.CreateDirectory(_root + "-evil").FullName;
        File.WriteAllBytes(Path.Combine(sibling, "a.png"), MediaTestServer.Png);
        using var fetcher = Fetcher();

        await Assert.ThrowsAsync<ForbiddenMediaSourceException>(() => fetcher.FetchAsync(Path.Combine(sibling, "a.png")));
    }

    [Fact]
    public async Task FetchAsync_SymlinkedFileEscapingRoot_IsRefused()
    {
        string link = Path.Combine(_root, "link.png");
        File.CreateSymbolicLink(link, Path.Combine(_outside, "secret.png"));
        using var fetcher = Fetcher();

        var ex = await Assert.ThrowsAsync<ForbiddenMediaSourceException>(() => fetcher.FetchAsync(link));

        Assert.Equal(MediaErrorCodes.ForbiddenPath, ex.Code);
    }

    [Fact]
    public async Task FetchAsync_SymlinkedFolderEscapingRoot_IsRefused()
    {
        string link = Path.Combine(_root, "linked-folder");
        Directory.CreateSymbolicLink(link, _outside);
        using var fetcher = Fetcher();

        await Assert.ThrowsAsync<ForbiddenMediaSourceException>(() => fetcher.FetchAsync(Path.Combine(link, "secret.png")));
    }

    [Fact]
    public async Task FetchAsync_SymlinkStayingInsideRoot_IsAllowed()
    {
        string link = Path.Combine(_root, "alias.png");
        File.CreateSymbolicLink(link, "inside.png");
        using var fetcher = Fetcher();

        var media = await fetcher.FetchAsync(link, MediaKind.Image);

        Assert.Equal(Path.Combine(_root, "inside.png"), media.Source);
    }

    [Fact]
    public async Task FetchAsync_MissingFile_ThrowsUnreachable()
    {
        using var fetcher = Fetcher();
        var ex = await Assert.ThrowsAsync<MediaUnreachableException>(() => fetcher.FetchAsync(Path.Combine(_root, "nope.png")));
        Assert.Equal(MediaErrorCodes.Unreachable, ex.Code);
    }

    [Fact]
    public async Task FetchAsync_FileOverLimit_ThrowsTooLarge()
    {
        using var fetcher = Fetcher(maxBytes: 100);
        await Assert.ThrowsAsync<MediaTooLargeException>(() => fetcher.FetchAsync(Path.Combine(_root, "inside.png")));
    }

    [Fact]
    public async Task FetchAsync_RelativeOrUnknownReference_ThrowsInvalidReference()
    {
        using var fetcher = Fetcher();
        var ex = await Assert.ThrowsAsync<MediaFetchException>(() => fetcher.FetchAsync("inside.png"));
        Assert.Equal(MediaErrorCodes.InvalidReference, ex.Code);
        await Assert.ThrowsAsync<MediaFetchException>(() => fetcher.FetchAsync("ftp://example.com/a.png"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
