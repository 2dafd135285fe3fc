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

/// <summary>The gateway's session port over session grains and the per-tenant session index grain.</summary>
public sealed class GrainSessionDirectory : ISessionDirectory
{
    private readonly IGrainFactory _grains;
    private readonly IMediaStore _media;
    private readonly StateStoreGate _gate;

    /// <param name="gate">Refuses at once while the state store is unreachable; null never refuses.</param>
    public GrainSessionDirectory(IGrainFactory grains, IMediaStore media, StateStoreGate? gate = null)
    {
        _grains = grains;
        _media = media;
        _gate = gate ?? new StateStoreGate();
    }

    public async Task<GatewaySession> CreateAsync(string tenantId, NewSession session, CancellationToken cancellationToken)
    {
        _gate.EnsureAvailable();
        string id = session.SessionId ?? Guid.NewGuid().ToString("n");
        try
        {
            var created = await Session(tenantId, id).CreateAsync(new CreateSessionRequest(session.Model, session.SystemPrompt, SamplingMapping.ToSettings(session.DefaultSampling))).ConfigureAwait(false);
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
            var info = await Session(tenantId, sessionId).GetAsync().ConfigureAwait(false);
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
        var page = await _grains.GetGrain<ISessionIndexGrain>(tenantId).ListAsync(pageSize, after).ConfigureAwait(false);
        var sessions = new List<GatewaySession>(page.SessionIds.Count);
        foreach (string id in page.SessionIds)
        {
            if (await GetSummaryAsync(tenantId, id).ConfigureAwait(false) is { } info)
            {
                sessions.Add(info);
            }
        }

        string? next = page.HasMore && page.SessionIds.Count > 0 ? EncodeToken(page.SessionIds[^1]) : null;
        return new SessionPage(sessions, next);
    }

    public Task<bool> DeleteAsync(string tenantId, string sessionId, CancellationToken cancellationToken)
    {
        _gate.EnsureAvailable();
        return Session(tenantId, sessionId).DeleteAsync();
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

    private async Task<GatewaySession?> GetSummaryAsync(string tenantId, string sessionId)
    {
        try
        {
            return await ToGatewayAsync(await Session(tenantId, sessionId).GetAsync().ConfigureAwait(false), withHistory: false, CancellationToken.None).ConfigureAwait(false);
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
