using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Grains.Hosting;

namespace Qwen2VL.Grains.Sessions;

/// <summary>See <see cref="ISessionIndexGrain"/>.</summary>
public sealed class SessionIndexGrain : Grain, ISessionIndexGrain
{
    private readonly IPersistentState<SessionIndexState> _state;

    /// <summary>Creates the grain; Orleans supplies the arguments.</summary>
    public SessionIndexGrain([PersistentState("sessionIndex", GrainStorage.Name)] IPersistentState<SessionIndexState> state) => _state = state;

    /// <inheritdoc/>
    public async Task AddAsync(string sessionId, DateTimeOffset createdAt)
    {
        var entries = _state.State.Entries.Where(e => e.SessionId != sessionId).ToList();
        entries.Add(new SessionIndexEntry(sessionId, createdAt));
        _state.State.Entries = [.. entries.OrderByDescending(e => e.CreatedAt).ThenBy(e => e.SessionId, StringComparer.Ordinal)];
        await _state.WriteStateAsync();
    }

    /// <inheritdoc/>
    public async Task RemoveAsync(string sessionId)
    {
        if (_state.State.Entries.Any(e => e.SessionId == sessionId))
        {
            _state.State.Entries = [.. _state.State.Entries.Where(e => e.SessionId != sessionId)];
            await _state.WriteStateAsync();
        }
    }

    /// <inheritdoc/>
    public Task<SessionIndexPage> ListAsync(int pageSize, string? after)
    {
        var entries = _state.State.Entries;
        int start = 0;
        if (after is not null)
        {
            int index = Array.FindIndex(entries, e => e.SessionId == after);
            start = index < 0 ? entries.Length : index + 1;
        }

        var page = entries.Skip(start).Take(Math.Max(1, pageSize)).Select(e => e.SessionId).ToArray();
        return Task.FromResult(new SessionIndexPage(page, start + page.Length < entries.Length));
    }
}

/// <summary>Persisted state of <see cref="SessionIndexGrain"/>: entries newest first.</summary>
[GenerateSerializer]
public sealed class SessionIndexState
{
    /// <summary>The tenant's sessions, newest first.</summary>
    [Id(0)] public SessionIndexEntry[] Entries { get; set; } = [];
}

/// <summary>One indexed session.</summary>
[GenerateSerializer, Immutable]
public sealed record SessionIndexEntry([property: Id(0)] string SessionId, [property: Id(1)] DateTimeOffset CreatedAt);
