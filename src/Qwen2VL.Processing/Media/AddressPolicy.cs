using System.Net;
using System.Net.Sockets;

namespace Qwen2VL.Processing.Media;

/// <summary>
/// Decides which IP addresses the fetcher may connect to. It is applied to the addresses a host name resolves to at
/// connect time, so a name that resolves differently later (DNS rebinding) is still checked, and so is every redirect.
/// IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses are judged by the IPv4 address
/// they carry.
/// </summary>
public sealed class AddressPolicy
{
    private static readonly (IPNetwork Network, AddressCategory Category)[] V4Ranges =
    [
        (IPNetwork.Parse("0.0.0.0/8"), AddressCategory.Unspecified),
        (IPNetwork.Parse("127.0.0.0/8"), AddressCategory.Loopback),
        (IPNetwork.Parse("10.0.0.0/8"), AddressCategory.Private),
        (IPNetwork.Parse("172.16.0.0/12"), AddressCategory.Private),
        (IPNetwork.Parse("192.168.0.0/16"), AddressCategory.Private),
        (IPNetwork.Parse("100.64.0.0/10"), AddressCategory.Private),
        (IPNetwork.Parse("169.254.0.0/16"), AddressCategory.LinkLocal),
        (IPNetwork.Parse("224.0.0.0/4"), AddressCategory.Multicast),
        (IPNetwork.Parse("240.0.0.0/4"), AddressCategory.Reserved),
        (IPNetwork.Parse("192.0.0.0/24"), AddressCategory.Reserved),
        (IPNetwork.Parse("192.0.2.0/24"), AddressCategory.Reserved),
        (IPNetwork.Parse("198.18.0.0/15"), AddressCategory.Reserved),
        (IPNetwork.Parse("198.51.100.0/24"), AddressCategory.Reserved),
        (IPNetwork.Parse("203.0.113.0/24"), AddressCategory.Reserved),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork Ipv6Documentation = IPNetwork.Parse("2001:db8::/32");
    private static readonly IPNetwork Ipv6UniqueLocal = IPNetwork.Parse("fc00::/7");

    private readonly MediaFetchOptions _options;
    private readonly IPNetwork[] _allowedNetworks;

    /// <summary>Creates the policy from the options' Allow* switches and <see cref="MediaFetchOptions.AllowedNetworks"/>.</summary>
    public AddressPolicy(MediaFetchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _allowedNetworks = [.. options.AllowedNetworks.Select(ParseNetwork)];
    }

    /// <summary>Whether the fetcher may connect to <paramref name="address"/>; <paramref name="category"/> says what it is.</summary>
    public bool IsAllowed(IPAddress address, out AddressCategory category)
    {
        ArgumentNullException.ThrowIfNull(address);
        category = Classify(address);
        bool allowedByCategory = category switch
        {
            AddressCategory.Public => true,
            AddressCategory.Loopback => _options.AllowLoopback,
            AddressCategory.Private => _options.AllowPrivateNetworks,
            AddressCategory.LinkLocal => _options.AllowLinkLocal,
            _ => false,
        };
        return allowedByCategory || _allowedNetworks.Any(n => n.Contains(address) || n.Contains(Embedded(address)));
    }

    /// <summary>The network category of <paramref name="address"/>.</summary>
    public static AddressCategory Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var effective = Embedded(address);
        if (effective.AddressFamily == AddressFamily.InterNetwork)
        {
            foreach (var (network, category) in V4Ranges)
            {
                if (network.Contains(effective))
                {
                    return category;
                }
            }

            return effective.Equals(IPAddress.Broadcast) ? AddressCategory.Reserved : AddressCategory.Public;
        }

        if (effective.Equals(IPAddress.IPv6Loopback))
        {
            return AddressCategory.Loopback;
        }

        if (effective.Equals(IPAddress.IPv6Any))
        {
            return AddressCategory.Unspecified;
        }

        if (effective.IsIPv6Multicast)
        {
            return AddressCategory.Multicast;
        }

        if (effective.IsIPv6LinkLocal)
        {
            return AddressCategory.LinkLocal;
        }

        if (effective.IsIPv6SiteLocal || Ipv6UniqueLocal.Contains(effective))
        {
            return AddressCategory.Private;
        }

        byte[] bytes = effective.GetAddressBytes();
        // ::/8 (IPv4-compatible and other legacy forms) and documentation addresses are not real servers.
        if (bytes[0] == 0 || Ipv6Documentation.Contains(effective))
        {
            return AddressCategory.Reserved;
        }

        return AddressCategory.Public;
    }

    /// <summary>The IPv4 address an IPv6 transition address carries, or the address itself.</summary>
    private static IPAddress Embedded(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        byte[] bytes = address.GetAddressBytes();
        if (Nat64.Contains(address))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        if (SixToFour.Contains(address))
        {
            return new IPAddress(bytes.AsSpan(2, 4));
        }

        return address;
    }

    private static IPNetwork ParseNetwork(string text)
    {
        if (IPNetwork.TryParse(text, out var network))
        {
            return network;
        }

        if (IPAddress.TryParse(text, out var single))
        {
            return new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }

        throw new ArgumentException($"'{text}' in AllowedNetworks is not an address or a CIDR network such as 10.0.0.0/8", nameof(text));
    }
}
