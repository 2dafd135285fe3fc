using System.Security.Cryptography;
using System.Text;

namespace Qwen2VL.Grains.Abstractions.Tenants;

/// <summary>How API keys are stored and indexed: lower-case hex SHA-256 of the key's UTF-8 bytes.</summary>
public static class ApiKeyHash
{
    /// <summary>The prefix every key starts with, so leaked keys are easy to recognise.</summary>
    public const string Prefix = "q2vl-";

    /// <summary>The key's hash, the key of its <see cref="IApiKeyIndexGrain"/>.</summary>
    public static string Compute(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }
}
