namespace Qwen2VL.Processing.Media;

/// <summary>The kind of network an IP address belongs to, as far as fetching user-supplied URLs is concerned.</summary>
public enum AddressCategory
{
    /// <summary>A globally routable address.</summary>
    Public,

    /// <summary>127.0.0.0/8 and ::1.</summary>
    Loopback,

    /// <summary>RFC 1918, shared address space 100.64.0.0/10, IPv6 unique-local fc00::/7 and site-local fec0::/10.</summary>
    Private,

    /// <summary>169.254.0.0/16 (where cloud metadata services live) and fe80::/10.</summary>
    LinkLocal,

    /// <summary>224.0.0.0/4 and ff00::/8.</summary>
    Multicast,

    /// <summary>0.0.0.0/8 and ::.</summary>
    Unspecified,

    /// <summary>Documentation, benchmarking, broadcast and reserved ranges that no real server uses.</summary>
    Reserved,
}
