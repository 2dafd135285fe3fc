namespace Qwen2VL.Gateway.Auth;

/// <summary>Maps a presented API key to the tenant that owns it.</summary>
public interface ITenantResolver
{
    /// <summary>The tenant id, or null when the key is unknown or revoked.</summary>
    ValueTask<string?> ResolveAsync(string apiKey, CancellationToken cancellationToken);
}
