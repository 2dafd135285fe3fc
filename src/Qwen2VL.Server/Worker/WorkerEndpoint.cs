using System.Net;
using Qwen2VL.Server.Hosting;

namespace Qwen2VL.Server.Worker;

/// <summary>
/// Where the cluster reaches this process's worker. A worker in a silo process is called in-process
/// (<see cref="LocalWorker.InProcessAddress"/>) unless <c>--advertise</c> says otherwise; a worker in its own process
/// serves the worker gRPC API on <c>--worker-port</c> and registers <c>--advertise</c>, by default
/// <c>http://&lt;host&gt;:&lt;worker-port&gt;</c>.
/// </summary>
/// <param name="Serve">Whether this process serves the worker gRPC API.</param>
/// <param name="Address">The address registered with the worker directory.</param>
public sealed record WorkerEndpoint(bool Serve, string Address)
{
    /// <summary>The endpoint for <paramref name="options"/> and <paramref name="roles"/>.</summary>
    public static WorkerEndpoint Resolve(ServerOptions options, ServerRoles roles)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.Advertise))
        {
            string advertised = options.Advertise.Trim();
            return new WorkerEndpoint(true, advertised.Contains("://", StringComparison.Ordinal) ? advertised : $"http://{advertised}");
        }

        if (roles.HasFlag(ServerRoles.Silo))
        {
            return new WorkerEndpoint(false, LocalWorker.InProcessAddress);
        }

        // A wildcard listen address names no host a peer could dial: advertise the machine's name instead.
        bool wildcard = options.Host is "0.0.0.0" or "::" or "*" or "+" or "[::]";
        string host = wildcard ? Dns.GetHostName() : options.Host;
        if (IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            host = $"[{host}]";
        }

        return new WorkerEndpoint(true, $"http://{host}:{options.WorkerPort}");
    }
}
