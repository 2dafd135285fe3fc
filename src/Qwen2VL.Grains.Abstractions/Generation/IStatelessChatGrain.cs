using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Sessions;

namespace Qwen2VL.Grains.Abstractions.Generation;

/// <summary>
/// Answers a whole conversation sent by the client (an OpenAI request without a session): picks a pipeline — by a
/// tenant-scoped hash of the conversation's start, so requests sharing a prefix meet the same cache — and moves to
/// another pipeline with the answer so far when one fails. Nothing is stored here; the worker keeps the request's KV
/// cache under a hash of its conversation, which the next request of the same conversation (re-sending it with the
/// answer) names among its reuse keys. Callers use a fresh key per request; the activation lives on the caller's silo.
/// </summary>
public interface IStatelessChatGrain : IGrainWithIntegerKey
{
    /// <summary>Streams <see cref="TextDelta"/>s and one <see cref="TurnCompleted"/>.</summary>
    /// <exception cref="GenerationUnavailableException">No pipeline could finish; retriable.</exception>
    /// <exception cref="GenerationRejectedException">A worker refused the request itself.</exception>
    IAsyncEnumerable<TurnEvent> GenerateAsync(StatelessChatRequest request, CancellationToken cancellationToken = default);
}

/// <summary>One stateless request; media in the conversation must already be in the tenant's media store.</summary>
[GenerateSerializer, Immutable]
public sealed record StatelessChatRequest(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string ModelId,
    [property: Id(2)] IReadOnlyList<ChatMessage> Conversation,
    [property: Id(3)] SamplingSettings Sampling,
    [property: Id(4)] string RequestId,
    [property: Id(5)] int? MaxContextTokens = null);
