using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Qwen2VL.Processing.Media;

namespace Qwen2VL.Processing.Tests.Media;

public class MediaFetchOptionsTests
{
    [Fact]
    public void Configure_FromConfiguration_BindsEveryKindOfSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MediaFetch:MaxBytes"] = "1234",
            ["MediaFetch:Timeout"] = "00:00:07",
            ["MediaFetch:AllowLoopback"] = "true",
            ["MediaFetch:AllowedNetworks:0"] = "10.0.0.0/8",
            ["MediaFetch:LocalRoots:0"] = "/srv/media",
        }).Build();
        using var services = new ServiceCollection().Configure<MediaFetchOptions>(configuration.GetSection("MediaFetch")).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<MediaFetchOptions>>().Value;

        Assert.Equal(1234, options.MaxBytes);
        Assert.Equal(TimeSpan.FromSeconds(7), options.Timeout);
        Assert.True(options.AllowLoopback);
        Assert.Equal(["10.0.0.0/8"], options.AllowedNetworks);
        Assert.Equal(["/srv/media"], options.LocalRoots);
        Assert.Equal(5, options.MaxRedirects);
    }
}
