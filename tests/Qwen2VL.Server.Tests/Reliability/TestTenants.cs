using System.Globalization;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>
/// The tenants the reliability tests use on the embedded server, each with the one limit its tests reach, and
/// defaults high enough that no other test ever meets a limit.
/// </summary>
public static class TestTenants
{
    /// <summary>Two requests a minute.</summary>
    public const string RpmKey = "sk-tenant-rpm-key";

    /// <summary>One request a minute, for the gRPC API.</summary>
    public const string GrpcRpmKey = "sk-tenant-rpm-grpc-key";

    /// <summary>A 48-token context and one image per request.</summary>
    public const string SmallKey = "sk-tenant-small-key";

    /// <summary>One stream at a time.</summary>
    public const string StreamsKey = "sk-tenant-streams-key";

    /// <summary>Sixty tokens a minute.</summary>
    public const string TpmKey = "sk-tenant-tpm-key";

    /// <summary>Default limits, used only by the usage test, so its counters start at zero.</summary>
    public const string UsageKey = "sk-tenant-usage-key";

    /// <summary>Default limits, used only by the idempotency tests.</summary>
    public const string IdempotencyKey = "sk-tenant-idem-key";

    public const int SmallContextTokens = 48;

    private static readonly (string Tenant, string Key, Dictionary<string, int> Limits)[] All =
    [
        ("tenant-rpm", RpmKey, new() { ["RequestsPerMinute"] = 2 }),
        ("tenant-rpm-grpc", GrpcRpmKey, new() { ["RequestsPerMinute"] = 1 }),
        ("tenant-small", SmallKey, new() { ["MaxContextTokens"] = SmallContextTokens, ["MaxImagesPerRequest"] = 1 }),
        ("tenant-streams", StreamsKey, new() { ["ConcurrentStreams"] = 1 }),
        ("tenant-tpm", TpmKey, new() { ["TokensPerMinute"] = 60 }),
        ("tenant-usage", UsageKey, new()),
        ("tenant-idem", IdempotencyKey, new()),
    ];

    /// <summary>Configuration entries: keys from index <paramref name="firstKeyIndex"/> on, limits, defaults.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Settings(int firstKeyIndex)
    {
        yield return new("Qwen2VL:TenantDefaults:RequestsPerMinute", "1000000");
        yield return new("Qwen2VL:TenantDefaults:TokensPerMinute", "1000000000");
        yield return new("Qwen2VL:TenantDefaults:ConcurrentStreams", "256");
        yield return new("Qwen2VL:TenantDefaults:MaxImagesPerRequest", "64");
        int index = firstKeyIndex;
        foreach (var (tenant, key, limits) in All)
        {
            yield return new($"Qwen2VL:ApiKeys:{index++}", $"{tenant}:{key}");
            foreach (var (name, value) in limits)
            {
                yield return new($"Qwen2VL:Tenants:{tenant}:{name}", value.ToString(CultureInfo.InvariantCulture));
            }
        }
    }
}
