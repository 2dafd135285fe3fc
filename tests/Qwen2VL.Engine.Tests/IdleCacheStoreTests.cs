namespace Qwen2VL.Engine.Tests;

public class IdleCacheStoreTests
{
    private static IdleCache<string> Entry(string name, int reserved) => new(name, Array.Empty<int>(), Array.Empty<MediaSpan>(), reserved);

    [Fact]
    public void EvictLeastRecent_ReturnsOldestFirst_AndTracksReservations()
    {
        var store = new IdleCacheStore<string>();
        store.Put("t/a", Entry("a", 10));
        store.Put("t/b", Entry("b", 20));
        store.Put("t/c", Entry("c", 30));
        Assert.Equal(60, store.ReservedTokens);

        Assert.Equal("t/a", store.EvictLeastRecent()!.Value.Key);
        Assert.Equal(50, store.ReservedTokens);
        Assert.Equal("t/b", store.EvictLeastRecent()!.Value.Key);
    }

    [Fact]
    public void Put_SameKey_ReturnsReplacedEntry()
    {
        var store = new IdleCacheStore<string>();
        store.Put("k", Entry("old", 5));

        var replaced = store.Put("k", Entry("new", 7));

        Assert.Equal("old", replaced!.Cache);
        Assert.Equal(7, store.ReservedTokens);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Take_RemovesEntry_AndEmptyStoreEvictsNothing()
    {
        var store = new IdleCacheStore<string>();
        store.Put("k", Entry("x", 5));

        Assert.Equal("x", store.Take("k")!.Cache);
        Assert.Null(store.Take("k"));
        Assert.Null(store.EvictLeastRecent());
        Assert.Equal(0, store.ReservedTokens);
    }
}
