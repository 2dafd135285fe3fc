using Grpc.Core;
using Qwen2VL.Api.V1;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Gateway.Validation;

namespace Qwen2VL.Gateway.Grpc;

/// <summary>
/// The public <c>qwen2vl.v1.ChatService</c>: stateless generation and server-side sessions over the cluster's
/// ports. Methods throw the gateway's own exceptions; <see cref="ErrorMappingInterceptor"/> turns them into statuses.
/// </summary>
public sealed class ChatGrpcService : ChatService.ChatServiceBase
{
    private readonly ISessionDirectory _sessions;
    private readonly GrpcCaller _caller;
    private readonly ChatResponseStreamer _streamer;
    private readonly DefaultModel _defaultModel;
    private readonly ChatRequestLimits _limits;
    private readonly GrpcApiOptions _options;
    private readonly TimeProvider _time;

    public ChatGrpcService(ISessionDirectory sessions, GrpcCaller caller, ChatResponseStreamer streamer, DefaultModel defaultModel,
        ChatRequestLimits limits, GrpcApiOptions options, TimeProvider time)
    {
        _sessions = sessions;
        _caller = caller;
        _streamer = streamer;
        _defaultModel = defaultModel;
        _limits = limits;
        _options = options;
        _time = time;
    }

    public override async Task<Session> CreateSession(CreateSessionRequest request, ServerCallContext context)
    {
        string tenant = await _caller.AuthenticateAsync(context).ConfigureAwait(false);
        string? sessionId = null;
        if (request.SessionId.Length > 0)
        {
            sessionId = ConversationRules.IsValidSessionId(request.SessionId)
                ? request.SessionId
                : throw OpenAiException.BadRequest(
                    $"session_id must be 1 to {ConversationRules.MaxKeyLength} letters, digits, '-', '_' or '.'", "session_id");
        }

        var defaults = SamplingMapper.ToChatSampling(request.DefaultSampling, ChatSampling.ServerDefaults, _limits, "default_sampling");
        string model = await _defaultModel.ResolveAsync(request.Model, context.CancellationToken).ConfigureAwait(false);
        var created = await _sessions.CreateAsync(tenant,
            new NewSession(sessionId, model, request.SystemPrompt.Length > 0 ? request.SystemPrompt : null, defaults),
            context.CancellationToken).ConfigureAwait(false);
        return SessionMapper.ToApi(created);
    }

    public override async Task<Session> GetSession(GetSessionRequest request, ServerCallContext context)
    {
        string tenant = await _caller.AuthenticateAsync(context).ConfigureAwait(false);
        var session = await FindAsync(tenant, request.SessionId, context.CancellationToken).ConfigureAwait(false);
        return SessionMapper.ToApi(session);
    }

    public override async Task<ListSessionsResponse> ListSessions(ListSessionsRequest request, ServerCallContext context)
    {
        string tenant = await _caller.AuthenticateAsync(context).ConfigureAwait(false);
        if (request.PageSize < 0)
        {
            throw OpenAiException.BadRequest($"page_size is {request.PageSize}; it must not be negative", "page_size");
        }

        int pageSize = request.PageSize == 0 ? _options.DefaultPageSize : Math.Min(request.PageSize, _options.MaxPageSize);
        var page = await _sessions.ListAsync(tenant, pageSize, request.PageToken.Length > 0 ? request.PageToken : null,
            context.CancellationToken).ConfigureAwait(false);
        return new ListSessionsResponse
        {
            Sessions = { page.Sessions.Select(SessionMapper.ToApi) },
            NextPageToken = page.NextPageToken ?? "",
        };
    }

    public override async Task<DeleteSessionResponse> DeleteSession(DeleteSessionRequest request, ServerCallContext context)
    {
        string tenant = await _caller.AuthenticateAsync(context).ConfigureAwait(false);
        string sessionId = RequiredSessionId(request.SessionId);
        bool deleted = await _sessions.DeleteAsync(tenant, sessionId, context.CancellationToken).ConfigureAwait(false);
        return new DeleteSessionResponse { Deleted = deleted };
    }

    public override async Task Chat(ChatRequest request, IServerStreamWriter<ChatResponse> responseStream, ServerCallContext context)
    {
        long startedAt = _time.GetTimestamp();
        string tenant = await _caller.AuthenticateAsync(context).ConfigureAwait(false);
        var session = await FindAsync(tenant, request.SessionId, context.CancellationToken).ConfigureAwait(false);
        var message = MessageMapper.ToTurnMessage(request.Message, _limits, "message");
        var call = new ChatCall(
            tenant,
            session.Model,
            [message],
            SamplingMapper.ToChatSampling(request.Sampling, session.DefaultSampling, _limits, "sampling"),
            MediaOptionsMapper.ToOverrides(request.MediaOptions, "media_options"),
            session.SessionId,
            GrpcCaller.IdempotencyKey(request.RequestId, context));
        await _streamer.StreamAsync(call, startedAt, responseStream, context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task Generate(GenerateRequest request, IServerStreamWriter<ChatResponse> responseStream, ServerCallContext context)
    {
        long startedAt = _time.GetTimestamp();
        string tenant = await _caller.AuthenticateAsync(context).ConfigureAwait(false);
        var messages = MessageMapper.ToConversation(request.Messages, _limits, "messages");
        var sampling = SamplingMapper.ToChatSampling(request.Sampling, ChatSampling.ServerDefaults, _limits, "sampling");
        var overrides = MediaOptionsMapper.ToOverrides(request.MediaOptions, "media_options");
        string? idempotencyKey = GrpcCaller.IdempotencyKey(request.RequestId, context);
        string model = await _defaultModel.ResolveAsync(request.Model, context.CancellationToken).ConfigureAwait(false);
        var call = new ChatCall(tenant, model, messages, sampling, overrides, SessionId: null, idempotencyKey);
        await _streamer.StreamAsync(call, startedAt, responseStream, context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The tenant's session, or NOT_FOUND. Sessions are looked up under the caller's tenant only, so another
    /// tenant's session id answers exactly as an unknown one.
    /// </summary>
    private async Task<SessionInfo> FindAsync(string tenant, string requestedId, CancellationToken cancellationToken)
    {
        string sessionId = RequiredSessionId(requestedId);
        return await _sessions.GetAsync(tenant, sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new OpenAiException(404, "not_found_error", $"session '{sessionId}' does not exist", "session_id", "session_not_found");
    }

    private static string RequiredSessionId(string sessionId)
    {
        if (sessionId.Length == 0)
        {
            throw OpenAiException.BadRequest("session_id is required", "session_id", "missing_required_parameter");
        }

        // An id that could never have been created cannot name a session; say so rather than "not found".
        return ConversationRules.IsValidSessionId(sessionId)
            ? sessionId
            : throw OpenAiException.BadRequest(
                $"session_id must be 1 to {ConversationRules.MaxKeyLength} letters, digits, '-', '_' or '.'", "session_id");
    }
}
