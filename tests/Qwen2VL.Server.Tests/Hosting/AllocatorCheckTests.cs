using Qwen2VL.Server.Hosting;

namespace Qwen2VL.Server.Tests.Hosting;

public sealed class AllocatorCheckTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("/usr/lib/libtcmalloc.so", false)]
    [InlineData("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", true)]
    [InlineData("/opt/other.so:/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", true)]
    public void PreloadsJemalloc_ReadsLdPreload(string? preload, bool expected) =>
        Assert.Equal(expected, AllocatorCheck.PreloadsJemalloc(preload));
}
