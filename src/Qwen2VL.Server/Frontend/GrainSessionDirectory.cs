using System.Text;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Grains.Abstractions.Sessions;
using GatewaySession = Qwen2VL.Gateway.Backend.SessionInfo;
using GrainSession = Qwen2VL.Grains.Abstractions.Sessions.SessionInfo;

namespace Qwen2VL.Server.Frontend;

/// <summary>
/// The gateway's session port over session grains and the per-tenant session index grain. Reads and creates are made
/// again while a silo that held the grain is being declared dead (<see cref="ControlPlaneRetry"/>); deletes are not
/// (a repeat of a delete that took effect would report the session missing).
/// </summary>
public sealed class GrainSessionDirectory : ISessionDirectory
{
    private readonly IGrainFactory _grains;
    private readonly IMediaStore _media;
    private readonly StateStoreGate _gate;
    private readonly ControlPlaneRetry _retry;

    /// <param name="gate">Refuses at once while the state store is unreachable; null never refuses.</param>
    /// <param name="retry">Retries calls that failed because a silo died; null fails them at once.</param>
    public GrainSessionDirectory(IGrainFactory grains, IMediaStore media, StateStoreGate? gate = null, ControlPlaneRetry? retry = null)
    {
        _grains = grains;
        _media = media;
        _gate = gate ?? new StateStoreGate();
        _retry = retry ?? ControlPlaneRetry.None;
    }

    public async Task<GatewaySession> CreateAsync(string tenantId, NewSession session, CancellationToken cancellationToken)
    {
        _gate.EnsureAvailable();
        string id = session.SessionId ?? Guid.NewGuid().ToString("n");
        try
        {
            var request = new CreateSessionRequest(session.Model, session.SystemPrompt, SamplingMapping.ToSettings(session.DefaultSampling));
            var created = await CallAsync("creating a session", _ => Session(tenantId, id).CreateAsync(request), cancellationToken).ConfigureAwait(false);
            return await ToGatewayAsync(created, withHistory: true, cancellationToken).ConfigureAwait(false);
        }
        catch (SessionAlreadyExistsException e)
        {
            throw new ChatBackendException(ChatFailure.AlreadyExists, $"session '{id}' already exists", "session_exists", "session_id", e);
        }
    }

    public async Task<GatewaySession?> GetAsync(string tenantId, string sessionId, CancellationToken cancellationToken)
    {
        _gate.EnsureAvailable();
        try
        {
            var info = await CallAsync("reading a session", _ => Session(tenantId, sessionId).GetAsync(), cancellationToken).ConfigureAwait(false);
            return await ToGatewayAsync(info, withHistory: true, cancellationToken).ConfigureAwait(false);
        }
        catch (SessionNotFoundException)
        {
            return null;
        }
    }

    public async Task<SessionPage> ListAsync(string tenantId, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        _gate.EnsureAvailable();
        string? after = pageToken is null ? null : DecodeToken(pageToken);
        var index = _grains.GetGrain<ISessionIndexGrain>(tenantId);
        var page = await CallAsync("listing sessions", _ => index.ListAsync(pageSize, after), cancellationToken).ConfigureAwait(false);
        var sessions = new List<GatewaySession>(page.SessionIds.Count);
        foreach (string id in page.SessionIds)
        {
            if (await GetSummaryAsync(tenantId, id, cancellationToken).ConfigureAwait(false) is { } info)
            {
                sessions.Add(info);
            }
        }

        string? next = page.HasMore && page.SessionIds.Count > 0 ? EncodeToken(page.SessionIds[^1]) : null;
        return new SessionPage(sessions, next);
    }

    public async Task<bool> DeleteAsync(string tenantId, string sessionId, CancellationToken cancellationToken)
    {
        _gate.EnsureAvailable();
        var session = Session(tenantId, sessionId);
        try
        {
            return await session.DeleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (ControlPlaneFailures.Translate(e) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Session grains store their turns themselves; nothing to do.</summary>
    public Task<bool> AppendTurnAsync(string tenantId, string sessionId, SessionTurn turn, CancellationToken cancellationToken) => Task.FromResult(true);

    private ISessionGrain Session(string tenantId, string sessionId)
    {
        if (!SessionKey.IsValidId(sessionId))
        {
            throw new ChatBackendException(ChatFailure.InvalidRequest, $"session id '{sessionId}' must be 1 to 128 letters, digits, '-', '_' or '.'", "invalid_session_id", "session_id");
        }

        return _grains.GetSession(tenantId, sessionId);
    }

    /// <summary>A grain call made again while it fails because a silo died; control-plane failures become 503s.</summary>
    private async Task<T> CallAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.RunAsync(operation, call, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ControlPlaneFailures.Translate(e) is { } translated)
        {
            throw translated;
        }
    }

    private async Task<GatewaySession?> GetSummaryAsync(string tenantId, string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            var info = await CallAsync("reading a session", _ => Session(tenantId, sessionId).GetAsync(), cancellationToken).ConfigureAwait(false);
            return await ToGatewayAsync(info, withHistory: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SessionNotFoundException)
        {
            return null;
        }
    }

    private async Task<GatewaySession> ToGatewayAsync(GrainSession info, bool withHistory, CancellationToken cancellationToken)
    {
        var history = new List<Gateway.OpenAi.ChatMessage>();
        if (withHistory)
        {
            foreach (var message in info.History)
            {
                var parts = new List<Gateway.OpenAi.ContentPart>();
                foreach (var part in message.Content)
                {
                    parts.Add(part.Kind switch
                    {
                        ContentKind.Text => new TextPart(part.Text ?? ""),
                        ContentKind.Image => new ImagePart(await DataUrlAsync(info.Key.TenantId, part.Media!, cancellationToken).ConfigureAwait(false), null),
                        _ => new VideoPart(await DataUrlAsync(info.Key.TenantId, part.Media!, cancellationToken).ConfigureAwait(false), null),
                    });
                }

                history.Add(new Gateway.OpenAi.ChatMessage(message.Role.ToString().ToLowerInvariant(), parts, ToolCallId: message.ToolCallId));
            }
        }

        return new GatewaySession(info.Key.SessionId, info.ModelId, info.SystemPrompt, SamplingMapping.ToSampling(info.DefaultSampling),
            info.CreatedAt, info.UpdatedAt, info.TurnCount, info.HistoryTokens, history);
    }

    private async Task<string> DataUrlAsync(string tenantId, MediaReference media, CancellationToken cancellationToken)
    {
        var stored = await _media.GetAsync(tenantId, media.ContentHash, cancellationToken).ConfigureAwait(false);
        return stored is null ? $"data:{media.MediaType};base64," : $"data:{media.MediaType};base64,{Convert.ToBase64String(stored.Bytes.Span)}";
    }

    private static string EncodeToken(string lastId) => Convert.ToBase64String(Encoding.UTF8.GetBytes("after:" + lastId));

    private static string DecodeToken(string token)
    {
        try
        {
            string text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith("after:", StringComparison.Ordinal) && SessionKey.IsValidId(text[6..]))
            {
                return text[6..];
            }
        }
        catch (FormatException)
        {
            // Falls through to the refusal below.
        }

        throw new ChatBackendException(ChatFailure.InvalidRequest, "page_token was not issued by this server", "invalid_page_token", "page_token");
    }
}
