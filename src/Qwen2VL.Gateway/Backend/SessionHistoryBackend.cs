using System.Runtime.CompilerServices;
using System.Text;
using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Backend;

/// <summary>
/// Gives sessions to a backend that only answers whole conversations (the embedded engine, test doubles): a call
/// that continues a session is answered over the session's system prompt, history and new message, and the
/// completed turn is recorded in the <see cref="ISessionDirectory"/>. The cluster's session grains do this
/// themselves and need no such wrapper.
/// </summary>
public sealed class SessionHistoryBackend : IChatBackend
{
    private readonly IChatBackend _inner;
    private readonly ISessionDirectory _sessions;

    public SessionHistoryBackend(IChatBackend inner, ISessionDirectory sessions)
    {
        _inner = inner;
        _sessions = sessions;
    }

    public Task<IReadOnlyList<ServedModel>> ListModelsAsync(CancellationToken cancellationToken) => _inner.ListModelsAsync(cancellationToken);

    public async IAsyncEnumerable<ChatEvent> ChatAsync(ChatCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (call.SessionId is not { } sessionId)
        {
            await foreach (var item in _inner.ChatAsync(call, cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }

            yield break;
        }

        var session = await _sessions.GetAsync(call.TenantId, sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new ChatBackendException(ChatFailure.NotFound, $"session '{sessionId}' does not exist", "session_not_found", "session_id");
        var conversation = new List<ChatMessage>(session.History.Count + call.Messages.Count + 1);
        if (!string.IsNullOrEmpty(session.SystemPrompt))
        {
            conversation.Add(new ChatMessage("system", new ContentPart[] { new TextPart(session.SystemPrompt) }));
        }

        conversation.AddRange(session.History);
        conversation.AddRange(call.Messages);

        // The inner backend sees a stateless call: the whole conversation, no session to continue.
        var answer = new StringBuilder();
        await foreach (var item in _inner.ChatAsync(call with { Messages = conversation, SessionId = null }, cancellationToken).ConfigureAwait(false))
        {
            if (item is ChatDelta delta)
            {
                answer.Append(delta.Text);
            }
            else if (item is ChatCompleted done)
            {
                // Recorded before the caller hears of the end, so that a GetSession right after sees the turn.
                var reply = new ChatMessage("assistant", new ContentPart[] { new TextPart(answer.ToString()) });
                var turn = new SessionTurn([.. call.Messages, reply], done.PromptTokens + done.CompletionTokens);
                await _sessions.AppendTurnAsync(call.TenantId, sessionId, turn, cancellationToken).ConfigureAwait(false);
            }

            yield return item;
        }
    }
}
