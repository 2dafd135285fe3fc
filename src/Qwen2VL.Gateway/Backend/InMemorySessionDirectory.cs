using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Backend;

/// <summary>
/// Sessions held in this process's memory: the embedded single-process default and tests. Nothing survives a
/// restart; the cluster keeps its sessions in grains instead.
/// </summary>
public sealed class InMemorySessionDirectory : ISessionDirectory
{
    private const string PageTokenPrefix = "after:";

    private readonly ConcurrentDictionary<(string Tenant, string Id), Entry> _sessions = new();
    private readonly TimeProvider _time;
    private long _nextSequence;

    public InMemorySessionDirectory(TimeProvider time)
    {
        _time = time;
    }

    public Task<SessionInfo> CreateAsync(string tenantId, NewSession session, CancellationToken cancellationToken)
    {
        string id = session.SessionId ?? "sess_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var now = _time.GetUtcNow();
        var entry = new Entry(Interlocked.Increment(ref _nextSequence), id, session, now);
        if (!_sessions.TryAdd((tenantId, id), entry))
        {
            throw new ChatBackendException(ChatFailure.AlreadyExists, $"a session with id '{id}' exists already", "session_exists", "session_id");
        }

        return Task.FromResult(entry.Snapshot(withHistory: true));
    }

    public Task<SessionInfo?> GetAsync(string tenantId, string sessionId, CancellationToken cancellationToken) =>
        Task.FromResult(_sessions.TryGetValue((tenantId, sessionId), out var entry) ? entry.Snapshot(withHistory: true) : null);

    public Task<SessionPage> ListAsync(string tenantId, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        long after = pageToken is null ? long.MaxValue : ReadPageToken(pageToken);
        var page = _sessions
            .Where(pair => pair.Key.Tenant == tenantId && pair.Value.Sequence < after)
            .Select(pair => pair.Value)
            .OrderByDescending(entry => entry.Sequence)
            .Take(pageSize + 1)
            .ToList();
        string? next = page.Count > pageSize ? WritePageToken(page[pageSize - 1].Sequence) : null;
        var sessions = page.Take(pageSize).Select(entry => entry.Snapshot(withHistory: false)).ToList();
        return Task.FromResult(new SessionPage(sessions, next));
    }

    public Task<bool> DeleteAsync(string tenantId, string sessionId, CancellationToken cancellationToken) =>
        Task.FromResult(_sessions.TryRemove((tenantId, sessionId), out _));

    public Task<bool> AppendTurnAsync(string tenantId, string sessionId, SessionTurn turn, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue((tenantId, sessionId), out var entry))
        {
            return Task.FromResult(false);
        }

        entry.Append(turn, _time.GetUtcNow());
        return Task.FromResult(true);
    }

    // Tokens name a position in the creation order, so that sessions created or deleted between two pages neither
    // repeat nor shift the listing. They carry no tenant: a token used by another tenant only names a position.
    private static string WritePageToken(long sequence) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(PageTokenPrefix + sequence.ToString(CultureInfo.InvariantCulture)));

    private static long ReadPageToken(string token)
    {
        try
        {
            string text = Encoding.ASCII.GetString(Convert.FromBase64String(token));
            if (text.StartsWith(PageTokenPrefix, StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(PageTokenPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long sequence))
            {
                return sequence;
            }
        }
        catch (FormatException)
        {
            // Reported below like any other token this directory did not issue.
        }

        throw new ChatBackendException(ChatFailure.InvalidRequest, "page_token is not a token this server issued", "invalid_page_token", "page_token");
    }

    /// <summary>One session; its history and counters change under its own lock as turns complete.</summary>
    private sealed class Entry
    {
        private readonly Lock _lock = new();
        private readonly NewSession _settings;
        private readonly DateTimeOffset _createdAt;
        private readonly List<ChatMessage> _history = new();
        private DateTimeOffset _updatedAt;
        private int _turns;
        private long _historyTokens;

        public Entry(long sequence, string id, NewSession settings, DateTimeOffset now)
        {
            Sequence = sequence;
            Id = id;
            _settings = settings;
            _createdAt = now;
            _updatedAt = now;
        }

        public long Sequence { get; }

        public string Id { get; }

        public void Append(SessionTurn turn, DateTimeOffset now)
        {
            lock (_lock)
            {
                _history.AddRange(turn.Messages);
                _turns++;
                _historyTokens = turn.HistoryTokens;
                _updatedAt = now;
            }
        }

        public SessionInfo Snapshot(bool withHistory)
        {
            lock (_lock)
            {
                return new SessionInfo(Id, _settings.Model, _settings.SystemPrompt, _settings.DefaultSampling, _createdAt, _updatedAt,
                    _turns, _historyTokens, withHistory ? _history.ToArray() : Array.Empty<ChatMessage>());
            }
        }
    }
}
