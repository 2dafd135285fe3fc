using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Grains.Media;

namespace Qwen2VL.Grains.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisMediaStoreTests(RedisFixture redis)
{
    private readonly RedisMediaStore _store = new(redis.Connection, $"test-{Guid.NewGuid():n}:");

    [Fact]
    public async Task PutAsync_SameBytesTwice_KeepsOneCopyKeyedByTenantAndSha256()
    {
        byte[] bytes = [.. "GIF89a"u8, 7, 7, 7];

        var first = await _store.PutAsync("t1", bytes, "image/gif");
        var second = await _store.PutAsync("t1", bytes, "image/gif");
        var read = await _store.GetAsync("t1", first.ContentHash);

        Assert.Equal(first, second);
        Assert.Equal(MediaHash.Compute(bytes), first.ContentHash);
        Assert.Equal(bytes, read!.Bytes.ToArray());
        Assert.Equal("image/gif", read.Reference.MediaType);
    }

    [Fact]
    public async Task ExistsAsync_OtherTenantOrUnknownHash_IsFalse()
    {
        var stored = await _store.PutAsync("t1", "video bytes"u8.ToArray(), "video/mp4");

        Assert.True(await _store.ExistsAsync("t1", stored.ContentHash));
        Assert.False(await _store.ExistsAsync("t2", stored.ContentHash));
        Assert.False(await _store.ExistsAsync("t1", MediaHash.Compute("other"u8)));
        Assert.Null(await _store.GetAsync("t1", "not-a-hash"));
    }
}
