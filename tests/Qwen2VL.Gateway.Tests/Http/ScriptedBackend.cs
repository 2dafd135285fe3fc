using System.Runtime.CompilerServices;
using Qwen2VL.Gateway.Backend;

namespace Qwen2VL.Gateway.Tests.Http;

/// <summary>
/// A backend that answers with a fixed script, so these tests exercise the HTTP layer alone (the model is tested
/// against the golden fixtures elsewhere, and the whole path end to end in the server's tests).
/// </summary>
public sealed class ScriptedBackend : IChatBackend
{
    public List<ChatCall> Calls { get; } = new();

    public Func<ChatCall, IReadOnlyList<string>> Answer { get; set; } = _ => new[] { "Hel", "lo", "!" };

    public ChatBackendException? FailBeforeFirstToken { get; set; }

    public ChatBackendException? FailAfterFirstToken { get; set; }

    /// <summary>Awaited before each piece with its index: lets a test hold the stream open or watch it cancelled.</summary>
    public Func<int, CancellationToken, Task>? BeforePiece { get; set; }

    public Task<IReadOnlyList<ServedModel>> ListModelsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ServedModel>>(new[] { new ServedModel("qwen2-vl-tiny", 32768, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)) });

    public async IAsyncEnumerable<ChatEvent> ChatAsync(ChatCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        lock (Calls)
        {
            Calls.Add(call);
        }

        if (FailBeforeFirstToken is not null)
        {
            throw FailBeforeFirstToken;
        }

        var pieces = Answer(call);
        int index = 0;
        foreach (var piece in pieces)
        {
            await Task.Yield();
            if (BeforePiece is not null)
            {
                await BeforePiece(index, cancellationToken);
            }

            cancellationToken.ThrowIfCancellationRequested();
            var logprobs = call.Sampling.Logprobs
                ? new[] { new TokenLogprob(piece, -0.5f, Enumerable.Range(0, call.Sampling.TopLogprobs).Select(k => (piece + k, -1f - k)).ToList()) }
                : null;
            yield return new ChatDelta(piece, logprobs);
            if (index++ == 0 && FailAfterFirstToken is not null)
            {
                throw FailAfterFirstToken;
            }
        }

        yield return new ChatCompleted("stop", PromptTokens: 20, CompletionTokens: pieces.Count, CachedPromptTokens: call.SessionId is null ? 0 : 12);
    }
}
