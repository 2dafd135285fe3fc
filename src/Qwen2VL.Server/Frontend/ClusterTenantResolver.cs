using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Qwen2VL.Gateway.Auth;
using Qwen2VL.Grains.Abstractions.Tenants;
using Qwen2VL.Server.Hosting;

namespace Qwen2VL.Server.Frontend;

/// <summary>
/// Resolves API keys: keys given in configuration (<c>tenant:key</c>, held only as SHA-256 hashes and compared in
/// constant time), then keys issued by tenant grains (<c>q2vl-…</c>).
/// </summary>
public sealed class ClusterTenantResolver : ITenantResolver
{
    private readonly IGrainFactory _grains;
    private readonly IReadOnlyList<(byte[] Hash, string Tenant)> _configured;

    public ClusterTenantResolver(IGrainFactory grains, IOptions<ServerOptions> options)
    {
        _grains = grains;
        _configured = ConfiguredKeys.Read(options.Value).Select(k => (Hash(k.Key), k.Tenant)).ToList();
    }

    public async ValueTask<string?> ResolveAsync(string apiKey, CancellationToken cancellationToken)
    {
        byte[] presented = Hash(apiKey);
        string? tenant = null;
        foreach (var (hash, owner) in _configured)
        {
            // Visit every entry so timing does not reveal which one matched.
            if (CryptographicOperations.FixedTimeEquals(hash, presented))
            {
                tenant = owner;
            }
        }

        if (tenant is not null)
        {
            return tenant;
        }

        var identity = await _grains.AuthenticateAsync(apiKey).ConfigureAwait(false);
        return identity?.TenantId;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
