using System.Security.Cryptography;
using System.Text;

namespace Qwen2VL.Grains.Sessions;

/// <summary>
/// The affinity key a session gives the directory: a hash of what every prompt of the session starts with (model
/// and system prompt), so sessions sharing a system prompt meet on the pipeline whose cache already holds it.
/// </summary>
internal static class PrefixAffinity
{
    /// <summary>The key, or null when there is no system prompt to share.</summary>
    public static string? For(string modelId, string? systemPrompt) =>
        string.IsNullOrEmpty(systemPrompt)
            ? null
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{modelId}\n{systemPrompt}")))[..32];
}
