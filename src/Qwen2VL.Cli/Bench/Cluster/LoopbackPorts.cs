using System.Net;
using System.Net.Sockets;

namespace Qwen2VL.Cli.Bench.Cluster;

/// <summary>Free TCP ports on the loopback interface, for servers the benchmark starts.</summary>
internal static class LoopbackPorts
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
