using System.Text;
using Grpc.Core;
using Qwen2VL.Api.V1;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.Limits;
using ApiTokenLogprob = Qwen2VL.Api.V1.TokenLogprob;
using TokenLogprob = Qwen2VL.Gateway.Backend.TokenLogprob;

namespace Qwen2VL.Gateway.Grpc;

/// <summary>
/// Runs one backend call and streams it as <see cref="ChatResponse"/>s: a delta per backend delta, then one final
/// message with the finish reason, usage and timings. Cancelling the call cancels the backend stream.
/// </summary>
public sealed class ChatResponseStreamer
{
    private readonly IChatBackend _backend;
    private readonly TimeProvider _time;
    private readonly ITenantLimiter _tenantLimiter;

    /// <param name="tenantLimiter">Per-tenant rate, stream and size limits; null admits everything.</param>
    public ChatResponseStreamer(IChatBackend backend, TimeProvider time, ITenantLimiter? tenantLimiter = null)
    {
        _backend = backend;
        _time = time;
        _tenantLimiter = tenantLimiter ?? UnlimitedTenantLimiter.Instance;
    }

    /// <param name="startedAt">The call's arrival, as a <see cref="TimeProvider.GetTimestamp"/> value, for the timings.</param>
    public async Task StreamAsync(ChatCall call, long startedAt, IServerStreamWriter<ChatResponse> responses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var permit = await _tenantLimiter.AdmitAsync(call.TenantId, RequestCost.Of(call.Messages, call.Sampling.MaxTokens, 1), cancellationToken).ConfigureAwait(false);
        await using var releaseOnFailure = permit.ConfigureAwait(false);
        call = call with { MaxContextTokens = permit.MaxContextTokens };
        var text = new StringBuilder();
        TimeSpan? firstToken = null;
        await foreach (var item in _backend.ChatAsync(call, cancellationToken).ConfigureAwait(false))
        {
            switch (item)
            {
                case ChatDelta delta:
                    firstToken ??= _time.GetElapsedTime(startedAt);
                    text.Append(delta.Text);
                    var message = new Delta { Text = delta.Text };
                    if (call.Sampling.Logprobs && delta.Logprobs is not null)
                    {
                        message.Logprobs.AddRange(delta.Logprobs.Select(ToApi));
                    }

                    await responses.WriteAsync(new ChatResponse { Delta = message }, cancellationToken).ConfigureAwait(false);
                    break;
                case ChatCompleted done:
                    await permit.ReleaseAsync(done.Replayed ? null : new RequestUsage(done.PromptTokens, done.CompletionTokens, done.CachedPromptTokens)).ConfigureAwait(false);
                    var total = _time.GetElapsedTime(startedAt);
                    await responses.WriteAsync(new ChatResponse
                    {
                        Final = new Final
                        {
                            FinishReason = ToApi(done.FinishReason),
                            Usage = new Usage
                            {
                                PromptTokens = done.PromptTokens,
                                CompletionTokens = done.CompletionTokens,
                                CachedPromptTokens = done.CachedPromptTokens,
                            },
                            Text = text.ToString(),
                            TimeToFirstTokenSeconds = (firstToken ?? total).TotalSeconds,
                            TotalSeconds = total.TotalSeconds,
                        },
                    }, cancellationToken).ConfigureAwait(false);
                    return;
            }
        }

        throw new ChatBackendException(ChatFailure.Internal, "the answer stream ended without a final event");
    }

    private static FinishReason ToApi(string reason) => reason switch
    {
        "stop" => FinishReason.Stop,
        "length" => FinishReason.Length,
        "cancelled" => FinishReason.Cancelled,
        "tool_calls" => FinishReason.ToolCalls,
        _ => FinishReason.Unspecified,
    };

    private static ApiTokenLogprob ToApi(TokenLogprob token) => new()
    {
        Token = token.Token,
        Logprob = token.Logprob,
        Top = { token.Top.Select(t => new ApiTokenLogprob { Token = t.Token, Logprob = t.Logprob }) },
    };
}
