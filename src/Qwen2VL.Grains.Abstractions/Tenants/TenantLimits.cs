namespace Qwen2VL.Grains.Abstractions.Tenants;

/// <summary>What one tenant may use. Rates are over a sliding minute.</summary>
/// <param name="RequestsPerMinute">Admitted requests per minute.</param>
/// <param name="TokensPerMinute">Prompt plus completion tokens per minute (recorded usage plus admitted estimates).</param>
/// <param name="ConcurrentStreams">Requests streaming at once.</param>
/// <param name="MaxImagesPerRequest">Images and videos in one request.</param>
/// <param name="MaxContextTokens">Tokens a session's context may hold.</param>
[GenerateSerializer, Immutable]
public sealed record TenantLimits(
    [property: Id(0)] int RequestsPerMinute,
    [property: Id(1)] int TokensPerMinute,
    [property: Id(2)] int ConcurrentStreams,
    [property: Id(3)] int MaxImagesPerRequest,
    [property: Id(4)] int MaxContextTokens)
{
    /// <summary>The limits of a tenant nobody configured.</summary>
    public static TenantLimits Default { get; } = new(60, 200_000, 4, 8, 32_768);

    /// <summary>Throws when a limit is not positive.</summary>
    /// <exception cref="ArgumentException">A limit is zero or negative.</exception>
    public void Validate()
    {
        (string Name, int Value)[] all =
        [
            (nameof(RequestsPerMinute), RequestsPerMinute), (nameof(TokensPerMinute), TokensPerMinute),
            (nameof(ConcurrentStreams), ConcurrentStreams), (nameof(MaxImagesPerRequest), MaxImagesPerRequest),
            (nameof(MaxContextTokens), MaxContextTokens),
        ];
        foreach (var (name, value) in all.Where(l => l.Value <= 0))
        {
            throw new ArgumentException($"tenant limit {name} must be positive, got {value}");
        }
    }
}
