namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>
/// The sessions of one tenant (key: the tenant id), newest first, so a tenant can list its sessions without
/// scanning storage. Maintained by the session grains on create and delete.
/// </summary>
public interface ISessionIndexGrain : IGrainWithStringKey
{
    /// <summary>Records a created session.</summary>
    Task AddAsync(string sessionId, DateTimeOffset createdAt);

    /// <summary>Forgets a deleted session.</summary>
    Task RemoveAsync(string sessionId);

    /// <summary>
    /// Up to <paramref name="pageSize"/> session ids, newest first, after <paramref name="after"/> (the last id of the
    /// previous page, or null for the first page); the bool says whether more follow.
    /// </summary>
    Task<SessionIndexPage> ListAsync(int pageSize, string? after);
}

/// <summary>A page of a tenant's session ids.</summary>
[GenerateSerializer, Immutable]
public sealed record SessionIndexPage([property: Id(0)] IReadOnlyList<string> SessionIds, [property: Id(1)] bool HasMore);
