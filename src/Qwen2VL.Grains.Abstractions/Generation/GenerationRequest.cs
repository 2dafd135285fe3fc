using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Workers;

namespace Qwen2VL.Grains.Abstractions.Generation;

/// <summary>
/// One generation call on a pipeline. The control plane sends the conversation, not token ids: the first stage
/// renders the chat template, tokenizes, loads media by hash and reuses whatever prefix of the prompt its cache
/// holds for <see cref="SequenceKey"/>.
/// </summary>
/// <param name="Pipeline">Where to run.</param>
/// <param name="TenantId">Scopes caches and media.</param>
/// <param name="SequenceKey">The KV cache key (see <c>KvLease.SequenceKeyFor</c>).</param>
/// <param name="Conversation">System prompt (if any), the stored history and the turn's new messages, in order.</param>
/// <param name="Sampling">Sampling for this call; <c>MaxTokens</c> already accounts for the continuation.</param>
/// <param name="KeepCache">Keep the sequence's cache after the call so the next turn prefills only new tokens.</param>
/// <param name="RequestId">The turn's request id, for tracing and deduplication on the worker.</param>
/// <param name="ContinuationTokenIds">
/// Answer tokens another pipeline already generated (and the client already received) before it failed. The worker
/// appends them after the assistant turn's opening, as they are, and continues the answer from there.
/// </param>
/// <param name="MaxContextTokens">Refuse prompts longer than this, when set.</param>
/// <param name="ReuseKeys">
/// Keys of kept caches (each starting with "<paramref name="TenantId"/>/") the prompt may continue when none is kept under
/// <paramref name="SequenceKey"/>, longest prefix first: a stateless request names those of its conversation's earlier
/// prefixes. Null or empty for none.
/// </param>
public sealed record GenerationRequest(
    PipelineReference Pipeline,
    string TenantId,
    string SequenceKey,
    IReadOnlyList<ChatMessage> Conversation,
    SamplingSettings Sampling,
    bool KeepCache,
    string RequestId,
    IReadOnlyList<int> ContinuationTokenIds,
    int? MaxContextTokens = null,
    IReadOnlyList<string>? ReuseKeys = null);
