using Qwen2VL.Grains.Abstractions.Sessions;

namespace Qwen2VL.Server.Hosting;

/// <summary>Reads <c>tenant:key</c> pairs from <see cref="ServerOptions.ApiKeys"/> and <see cref="ServerOptions.ApiKeyFile"/>.</summary>
public static class ConfiguredKeys
{
    public static IReadOnlyList<(string Tenant, string Key)> Read(ServerOptions options)
    {
        var lines = new List<string>(options.ApiKeys);
        if (!string.IsNullOrWhiteSpace(options.ApiKeyFile))
        {
            lines.AddRange(File.ReadAllLines(options.ApiKeyFile));
        }

        var keys = new List<(string, string)>();
        foreach (string raw in lines)
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            // A bare key belongs to the tenant "default".
            string tenant = colon > 0 ? line[..colon] : "default";
            string key = colon > 0 ? line[(colon + 1)..] : line;
            if (!SessionKey.IsValidId(tenant) || key.Length < 8)
            {
                throw new InvalidOperationException($"API key entry for tenant '{tenant}' is invalid: tenants are 1 to 128 letters, digits, '-', '_' or '.', keys at least 8 characters");
            }

            keys.Add((tenant, key));
        }

        return keys;
    }
}
