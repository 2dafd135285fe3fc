using System.Net;
using System.Net.Sockets;

namespace Qwen2VL.Processing.Media;

/// <summary>
/// The HTTP handler's connect step: resolves the host itself and connects only to addresses the
/// <see cref="AddressPolicy"/> allows. Checking here, on the addresses actually dialled, closes the gap a check on the
/// URL leaves open (a name that resolves to a public address when checked and to a private one when connected).
/// </summary>
internal sealed class PolicyConnector(AddressPolicy policy)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        IPAddress[] addresses;
        if (IPAddress.TryParse(endpoint.Host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new MediaUnreachableException(MediaErrorCodes.Unreachable, $"host '{endpoint.Host}' could not be resolved: {ex.Message}", innerException: ex);
            }
        }

        var refused = new List<string>();
        var allowed = new List<IPAddress>();
        foreach (var address in addresses)
        {
            if (policy.IsAllowed(address, out var category))
            {
                allowed.Add(address);
            }
            else
            {
                refused.Add($"{address} ({category})");
            }
        }

        if (allowed.Count == 0)
        {
            throw new ForbiddenMediaSourceException(MediaErrorCodes.ForbiddenAddress,
                $"host '{endpoint.Host}' resolves to {(refused.Count == 0 ? "no address" : string.Join(", ", refused))}, which this server may not fetch from");
        }

        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new MediaUnreachableException(MediaErrorCodes.Unreachable,
            $"could not connect to '{endpoint.Host}' port {endpoint.Port}: {last?.Message}", innerException: last);
    }
}
