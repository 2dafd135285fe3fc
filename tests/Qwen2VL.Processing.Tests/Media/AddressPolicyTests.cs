using System.Net;
using Qwen2VL.Processing.Media;

namespace Qwen2VL.Processing.Tests.Media;

public class AddressPolicyTests
{
    [Theory]
    [InlineData("8.8.8.8", AddressCategory.Public)]
    [InlineData("2606:4700:4700::1111", AddressCategory.Public)]
    [InlineData("127.0.0.1", AddressCategory.Loopback)]
    [InlineData("127.45.1.2", AddressCategory.Loopback)]
    [InlineData("::1", AddressCategory.Loopback)]
    [InlineData("10.1.2.3", AddressCategory.Private)]
    [InlineData("172.16.0.1", AddressCategory.Private)]
    [InlineData("172.31.255.255", AddressCategory.Private)]
    [InlineData("172.32.0.1", AddressCategory.Public)]
    [InlineData("192.168.0.10", AddressCategory.Private)]
    [InlineData("100.64.0.1", AddressCategory.Private)]
    [InlineData("fd00::1", AddressCategory.Private)]
    [InlineData("fc12:3456::1", AddressCategory.Private)]
    [InlineData("169.254.169.254", AddressCategory.LinkLocal)]
    [InlineData("fe80::1", AddressCategory.LinkLocal)]
    [InlineData("224.0.0.1", AddressCategory.Multicast)]
    [InlineData("ff02::1", AddressCategory.Multicast)]
    [InlineData("0.0.0.0", AddressCategory.Unspecified)]
    [InlineData("::", AddressCategory.Unspecified)]
    [InlineData("255.255.255.255", AddressCategory.Reserved)]
    [InlineData("192.0.2.1", AddressCategory.Reserved)]
    [InlineData("::ffff:127.0.0.1", AddressCategory.Loopback)]
    [InlineData("::ffff:10.0.0.1", AddressCategory.Private)]
    [InlineData("::ffff:8.8.8.8", AddressCategory.Public)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressCategory.LinkLocal)]
    [InlineData("2002:c0a8:0101::1", AddressCategory.Private)]
    public void Classify_Address_ReturnsItsCategory(string address, AddressCategory expected)
    {
        Assert.Equal(expected, AddressPolicy.Classify(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("224.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:192.168.1.1")]
    public void IsAllowed_Defaults_RefusesNonPublicAddresses(string address)
    {
        Assert.False(new AddressPolicy(new MediaFetchOptions()).IsAllowed(IPAddress.Parse(address), out _));
    }

    [Fact]
    public void IsAllowed_Switches_AllowOnlyTheirCategory()
    {
        var policy = new AddressPolicy(new MediaFetchOptions { AllowLoopback = true, AllowPrivateNetworks = true });

        Assert.True(policy.IsAllowed(IPAddress.Parse("127.0.0.1"), out _));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::1"), out _));
        Assert.True(policy.IsAllowed(IPAddress.Parse("192.168.1.1"), out _));
        Assert.False(policy.IsAllowed(IPAddress.Parse("169.254.169.254"), out _));
        Assert.False(policy.IsAllowed(IPAddress.Parse("224.0.0.1"), out _));
    }

    [Fact]
    public void IsAllowed_AllowedNetworks_CoverMappedForms()
    {
        var policy = new AddressPolicy(new MediaFetchOptions { AllowedNetworks = ["10.1.0.0/16", "fd00::5"] });

        Assert.True(policy.IsAllowed(IPAddress.Parse("10.1.2.3"), out _));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::ffff:10.1.2.3"), out _));
        Assert.True(policy.IsAllowed(IPAddress.Parse("fd00::5"), out _));
        Assert.False(policy.IsAllowed(IPAddress.Parse("10.2.0.1"), out _));
    }

    [Fact]
    public void Constructor_MalformedNetwork_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentException>(() => new AddressPolicy(new MediaFetchOptions { AllowedNetworks = ["10.0.0.0/33"] }));
        Assert.Contains("10.0.0.0/33", ex.Message, StringComparison.Ordinal);
    }
}
