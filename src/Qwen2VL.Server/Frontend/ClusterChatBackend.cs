using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Processing;
using Qwen2VL.Processing.Media;
using Qwen2VL.Server.Hosting;
using GatewayMessage = Qwen2VL.Gateway.OpenAi.ChatMessage;
using GrainMessage = Qwen2VL.Grains.Abstractions.Chat.ChatMessage;
using GrainPart = Qwen2VL.Grains.Abstractions.Chat.ContentPart;

namespace Qwen2VL.Server.Frontend;

/// <summary>
/// The gateway's view of the cluster: media are fetched and stored content-addressed per tenant (a video given as
/// frame URLs as one frame list), each part with its processing options, then a session
/// grain (with <c>X-Session-Id</c>) or the stateless chat grain runs the turn; grain failures become the gateway's
/// <see cref="ChatBackendException"/>s, and an unreachable state store a 503 before anything starts.
/// </summary>
public sealed class ClusterChatBackend : IChatBackend
{
    /// <summary>How long ending an enumeration may hold up the caller.</summary>
    private static readonly TimeSpan DisposeBound = TimeSpan.FromSeconds(2);

    private readonly IGrainFactory _grains;
    private readonly IMediaStore _media;
    private readonly MediaFetcher _fetcher;
    private readonly FrameListFetcher _frameLists;
    private readonly string _modelId;
    private readonly int _contextLength;
    private readonly StateStoreGate _gate;
    private readonly StatelessIdempotency _idempotency;
    private readonly ControlPlaneRetry _retry;

    public ClusterChatBackend(IGrainFactory grains, IMediaStore media, MediaFetcher fetcher, IOptions<ServerOptions> options,
        StateStoreGate gate, StatelessIdempotency idempotency, ControlPlaneRetry retry)
    {
        _retry = retry;
        _grains = grains;
        _media = media;
        _fetcher = fetcher;
        _frameLists = new FrameListFetcher(fetcher);
        _gate = gate;
        _idempotency = idempotency;
        _modelId = ServedModelNames.For(options.Value);
        _contextLength = options.Value.Engine.MaxContextTokens > 0 ? options.Value.Engine.MaxContextTokens : 32768;
    }

    public Task<IReadOnlyList<ServedModel>> ListModelsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ServedModel>>(new[] { new ServedModel(_modelId, _contextLength, DateTimeOffset.UnixEpoch) });

    public async IAsyncEnumerable<ChatEvent> ChatAsync(ChatCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!string.IsNullOrEmpty(call.Model) && call.Model != _modelId)
        {
            throw new ChatBackendException(ChatFailure.NotFound, $"the model '{call.Model}' does not exist; this server serves '{_modelId}'", "model_not_found", "model");
        }

        _gate.EnsureAvailable();
        OpenedTurn opened;
        try
        {
            var turn = await PrepareAsync(call, cancellationToken).ConfigureAwait(false);
            // Until the first event has arrived nothing reached the client, and a turn carries its request id, so
            // starting it again on a surviving silo is safe.
            opened = await _retry.RunAsync("starting a turn", ct => OpenAsync(turn, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e) is { } translated)
        {
            throw translated;
        }

        var enumerator = opened.Events;
        try
        {
            for (bool hasEvent = opened.HasEvent; hasEvent;)
            {
                switch (enumerator.Current)
                {
                    case TextDelta delta:
                        yield return new ChatDelta(delta.Text, delta.Logprobs?.Select(ToGateway).ToArray());
                        break;
                    case TurnCompleted done:
                        yield return new ChatCompleted(done.FinishReason switch
                        {
                            FinishReason.Length => "length",
                            FinishReason.ToolCalls => "tool_calls",
                            _ => "stop",
                        }, done.Usage.PromptTokens, done.Usage.CompletionTokens, done.Usage.CachedPromptTokens, done.Replayed);
                        yield break;
                }

                try
                {
                    hasEvent = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (Translate(e) is { } translated)
                {
                    // Mid-answer the client holds part of it, so the turn is not started again here. The session
                    // stored nothing of it; the client's retry with the same key generates it whole.
                    throw translated;
                }
            }
        }
        finally
        {
            await DisposeQuietlyAsync(enumerator).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What a turn needs before it runs, done once however often the turn is started: the media fetched and stored,
    /// the messages converted, the request id fixed.
    /// </summary>
    private async Task<PreparedTurn> PrepareAsync(ChatCall call, CancellationToken cancellationToken)
    {
        var conversation = await ToGrainMessagesAsync(call, cancellationToken).ConfigureAwait(false);
        string requestId = call.IdempotencyKey ?? Guid.NewGuid().ToString("n");
        return new PreparedTurn(call, conversation, SamplingMapping.ToSettings(call.Sampling), requestId);
    }

    /// <summary>Starts the turn and waits for its first event, so that a silo lost before then fails this call.</summary>
    private async Task<OpenedTurn> OpenAsync(PreparedTurn turn, CancellationToken cancellationToken)
    {
        var events = await StartAsync(turn, cancellationToken).ConfigureAwait(false);
        var enumerator = events.GetAsyncEnumerator(cancellationToken);
        try
        {
            return new OpenedTurn(enumerator, await enumerator.MoveNextAsync().ConfigureAwait(false));
        }
        catch
        {
            await DisposeQuietlyAsync(enumerator).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Starts the turn: a session turn (the session grain keeps its own idempotency record), or a stateless request,
    /// run at most once per idempotency key when the client sent one.
    /// </summary>
    private async Task<IAsyncEnumerable<TurnEvent>> StartAsync(PreparedTurn turn, CancellationToken cancellationToken)
    {
        var call = turn.Call;
        if (call.SessionId is not null)
        {
            return await SessionTurnAsync(call, turn.Conversation, turn.Sampling, turn.RequestId).ConfigureAwait(false);
        }

        var request = new StatelessChatRequest(call.TenantId, _modelId, turn.Conversation, turn.Sampling, turn.RequestId, call.MaxContextTokens);
        // One grain key per request: the answer streams as a series of calls on one enumerator, which lives in that
        // key's one activation.
        var stateless = _grains.GetGrain<IStatelessChatGrain>(Random.Shared.NextInt64());
        return call.IdempotencyKey is null
            ? stateless.GenerateAsync(request, cancellationToken)
            : _idempotency.RunOnceAsync(request, call.IdempotencyKey, () => stateless.GenerateAsync(request, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Ends the grain-side enumeration. Bounded: after a silo died, telling it so can wait for the call's timeout,
    /// and the client must not wait for that to learn what happened.
    /// </summary>
    private static async Task DisposeQuietlyAsync(IAsyncEnumerator<TurnEvent> enumerator)
    {
        try
        {
            await enumerator.DisposeAsync().AsTask().WaitAsync(DisposeBound).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The enumeration ended already or its silo is gone; Orleans drops an abandoned enumerator itself.
        }
    }

    /// <summary>With a session, system messages set its prompt when it is created and the rest is the new turn.</summary>
    private async Task<IAsyncEnumerable<TurnEvent>> SessionTurnAsync(ChatCall call, IReadOnlyList<GrainMessage> conversation, SamplingSettings sampling, string requestId)
    {
        if (!SessionKey.IsValidId(call.SessionId) || !SessionKey.IsValidId(call.TenantId))
        {
            throw new ChatBackendException(ChatFailure.InvalidRequest, $"session id '{call.SessionId}' must be 1 to 128 letters, digits, '-', '_' or '.'", "invalid_session_id", "X-Session-Id");
        }

        if (conversation.Any(m => m.Role == ChatRole.Assistant))
        {
            throw new ChatBackendException(ChatFailure.InvalidRequest,
                "with X-Session-Id send only the new messages: the session already holds the earlier turns, including the assistant's answers",
                "session_history_in_request", "messages");
        }

        var session = _grains.GetSession(call.TenantId, call.SessionId!);
        string? system = conversation.FirstOrDefault(m => m.Role == ChatRole.System)?.Text;
        try
        {
            await session.CreateAsync(new CreateSessionRequest(_modelId, system)).ConfigureAwait(false);
        }
        catch (SessionAlreadyExistsException)
        {
            // Continuing an existing session.
        }

        var turn = conversation.Where(m => m.Role != ChatRole.System).ToList();
        if (turn.Count == 0)
        {
            throw new ChatBackendException(ChatFailure.InvalidRequest, "the request has no user message to add to the session", "empty_turn", "messages");
        }

        return session.ChatAsync(new TurnRequest(requestId, turn, sampling, call.MaxContextTokens));
    }

    private async Task<IReadOnlyList<GrainMessage>> ToGrainMessagesAsync(ChatCall call, CancellationToken cancellationToken)
    {
        var result = new List<GrainMessage>(call.Messages.Count);
        foreach (var message in call.Messages)
        {
            var parts = new List<GrainPart>(message.Content.Count);
            foreach (var part in message.Content)
            {
                parts.Add(part switch
                {
                    TextPart text => GrainPart.FromText(text.Text),
                    ImagePart image => GrainPart.FromImage(await StoreAsync(call.TenantId, image.Url, MediaKind.Image, cancellationToken).ConfigureAwait(false),
                        MediaOptionsMapping.ForImage(call.MediaOverrides, image.Detail)),
                    VideoPart { Url: { } url } => GrainPart.FromVideo(await StoreAsync(call.TenantId, url, MediaKind.Video, cancellationToken).ConfigureAwait(false),
                        MediaOptionsMapping.ForVideo(call.MediaOverrides)),
                    VideoPart { FrameUrls: { } frames } => GrainPart.FromVideo(await StoreFramesAsync(call.TenantId, frames, cancellationToken).ConfigureAwait(false),
                        MediaOptionsMapping.ForVideo(call.MediaOverrides)),
                    _ => throw new ChatBackendException(ChatFailure.InvalidRequest, "a video part needs a URL or a list of frame URLs", "invalid_video", "messages"),
                });
            }

            var role = message.Role switch
            {
                "system" => ChatRole.System,
                "assistant" => ChatRole.Assistant,
                "tool" => ChatRole.Tool,
                _ => ChatRole.User,
            };
            result.Add(new GrainMessage(role, parts, message.ToolCallId));
        }

        return result;
    }

    private async Task<MediaReference> StoreAsync(string tenantId, string url, MediaKind kind, CancellationToken cancellationToken)
    {
        FetchedMedia fetched;
        try
        {
            fetched = await _fetcher.FetchAsync(url, kind, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidInputException e)
        {
            throw new ChatBackendException(ChatFailure.InvalidRequest, e.Message, e.Code, "messages");
        }

        return await _media.PutAsync(tenantId, fetched.Data, fetched.MediaType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Fetches every frame and stores them, in order, as one content-addressed frame list.</summary>
    private async Task<MediaReference> StoreFramesAsync(string tenantId, IReadOnlyList<string> urls, CancellationToken cancellationToken)
    {
        byte[] packed = await _frameLists.FetchAsync(urls, cancellationToken).ConfigureAwait(false);
        return await _media.PutAsync(tenantId, packed, FrameListMedia.MediaType, cancellationToken).ConfigureAwait(false);
    }

    private static TokenLogprob ToGateway(GeneratedLogprob token) =>
        new(token.Token, token.Logprob, token.TopLogprobs.Select(t => (t.Token, t.Logprob)).ToArray());

    private static ChatBackendException? Translate(Exception e) => e switch
    {
        ChatBackendException => null,
        GenerationRejectedException r => new ChatBackendException(r.Code == "context_length_exceeded" ? ChatFailure.ContextTooLong : ChatFailure.InvalidRequest, r.Message, r.Code, inner: r),
        GenerationUnavailableException u => new ChatBackendException(ChatFailure.Unavailable, u.Message, "no_pipeline", inner: u) { RetryAfter = u.RetryAfter },
        ContextLimitExceededException c => new ChatBackendException(ChatFailure.ContextTooLong, c.Message, "context_length_exceeded", inner: c),
        SessionBusyException b => new ChatBackendException(ChatFailure.InvalidRequest, b.Message, "session_busy", inner: b),
        SessionNotFoundException n => new ChatBackendException(ChatFailure.NotFound, n.Message, "session_not_found", inner: n),
        MediaNotFoundException m => new ChatBackendException(ChatFailure.InvalidRequest, m.Message, "media_not_found", inner: m),
        // Anything else Orleans delivers (an engine crash carried across silos, a bug) stays a 500.
        _ => ControlPlaneFailures.Translate(e),
    };

    /// <summary>A turn ready to start: the call, its messages as the grains take them, and its request id.</summary>
    private sealed record PreparedTurn(ChatCall Call, IReadOnlyList<GrainMessage> Conversation, SamplingSettings Sampling, string RequestId);

    /// <summary>A started turn's events, positioned on the first one when <see cref="HasEvent"/>.</summary>
    private sealed record OpenedTurn(IAsyncEnumerator<TurnEvent> Events, bool HasEvent);
}
