using System.Collections.Concurrent;
using Grpc.Net.Client;
using Qwen2VL.Worker.Client;

namespace Qwen2VL.Server.Remote;

/// <summary>
/// One gRPC channel per worker address, shared by every call to it (a channel multiplexes calls over its HTTP/2
/// connections and reconnects by itself), with the worker API's raised message limits.
/// </summary>
public sealed class WorkerChannels : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<GrpcChannel>> _channels = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The channel to <paramref name="address"/> (http://host:port), created on first use.</summary>
    public GrpcChannel For(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        return _channels.GetOrAdd(address, a => new Lazy<GrpcChannel>(() => WorkerChannel.Create(a))).Value;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var channel in _channels.Values.Where(c => c.IsValueCreated))
        {
            channel.Value.Dispose();
        }

        _channels.Clear();
    }
}
