using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Grains.Media;

namespace Qwen2VL.Grains.Tests;

public sealed class MediaStoreTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3];

    [Fact]
    public async Task PutAsync_SameBytesTwice_StoresOnceUnderTheirSha256()
    {
        var store = new InMemoryMediaStore();

        var first = await store.PutAsync("t1", Png, "image/png");
        var second = await store.PutAsync("t1", Png.ToArray(), "image/png");

        Assert.Equal(first, second);
        Assert.Equal(MediaHash.Compute(Png), first.ContentHash);
        Assert.Equal(1, store.Count);
        Assert.Equal(Png, (await store.GetAsync("t1", first.ContentHash))!.Bytes.ToArray());
    }

    [Fact]
    public async Task GetAsync_OtherTenant_DoesNotSeeTheMedia()
    {
        var store = new InMemoryMediaStore();
        var stored = await store.PutAsync("t1", Png, "image/png");

        Assert.Null(await store.GetAsync("t2", stored.ContentHash));
        Assert.False(await store.ExistsAsync("t2", stored.ContentHash));
        Assert.True(await store.ExistsAsync("t1", stored.ContentHash));
    }

    [Fact]
    public async Task PutAsync_EmptyBytesOrBadType_IsRejected()
    {
        var store = new InMemoryMediaStore();

        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("t1", Array.Empty<byte>(), "image/png"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("t1", Png, "png"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("bad/tenant", Png, "image/png"));
    }
}
