namespace Qwen2VL.Grains.Abstractions.Media;

/// <summary>A message refers to media that the tenant's store does not hold; upload it first.</summary>
[GenerateSerializer]
public sealed class MediaNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MediaNotFoundException(string tenantId, string contentHash)
        : base($"tenant '{tenantId}' has no media with hash '{contentHash}'")
    {
        TenantId = tenantId;
        ContentHash = contentHash;
    }

    /// <summary>The tenant.</summary>
    [Id(0)] public string TenantId { get; private set; }

    /// <summary>The missing hash.</summary>
    [Id(1)] public string ContentHash { get; private set; }
}
