using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Backend;

/// <summary>What the public APIs need from the cluster: run one chat turn and stream its answer.</summary>
public interface IChatBackend
{
    /// <summary>The models this cluster serves.</summary>
    Task<IReadOnlyList<ServedModel>> ListModelsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Streams one answer: <see cref="ChatDelta"/>s, then exactly one <see cref="ChatCompleted"/>. Failures are
    /// <see cref="ChatBackendException"/>s; before the first delta nothing has been stored or charged.
    /// </summary>
    IAsyncEnumerable<ChatEvent> ChatAsync(ChatCall call, CancellationToken cancellationToken);
}

/// <summary>A model the cluster serves, as listed by <c>GET /v1/models</c>.</summary>
public sealed record ServedModel(string Id, int MaxContextTokens, DateTimeOffset Created);

/// <summary>One turn to run.</summary>
/// <param name="TenantId">The caller's tenant; every cache and session is scoped to it.</param>
/// <param name="Messages">The conversation to answer (tools already rendered into it), or only the new message when <paramref name="SessionId"/> continues a server-side session.</param>
/// <param name="SessionId">A server-side session to continue (<c>X-Session-Id</c>), or null for a stateless request.</param>
/// <param name="IdempotencyKey">Makes a retried call return the first call's result instead of generating again.</param>
/// <param name="MaxContextTokens">The tenant's context limit, when one applies: a longer prompt is refused.</param>
public sealed record ChatCall(
    string TenantId,
    string Model,
    IReadOnlyList<ChatMessage> Messages,
    ChatSampling Sampling,
    MediaProcessingOverrides MediaOverrides,
    string? SessionId,
    string? IdempotencyKey,
    int? MaxContextTokens = null);

/// <summary>Sampling settings of one call; null means the server's default.</summary>
public sealed record ChatSampling(
    float? Temperature,
    float? TopP,
    int? TopK,
    float? MinP,
    float? RepetitionPenalty,
    float PresencePenalty,
    float FrequencyPenalty,
    long? Seed,
    int? MaxTokens,
    IReadOnlyList<string> Stop,
    bool Logprobs,
    int TopLogprobs)
{
    /// <summary>Every setting left to the server.</summary>
    public static readonly ChatSampling ServerDefaults = new(null, null, null, null, null, 0, 0, null, null, Array.Empty<string>(), false, 0);
}

/// <summary>An event of a streamed answer.</summary>
public abstract record ChatEvent;

/// <summary>New text, with the tokens that produced it and, when asked for, their log probabilities.</summary>
public sealed record ChatDelta(string Text, IReadOnlyList<TokenLogprob>? Logprobs) : ChatEvent;

/// <summary>The end of an answer.</summary>
/// <param name="FinishReason">stop, length or cancelled.</param>
/// <param name="Replayed">True when an idempotency key matched a completed call and this is its stored result: nothing was generated (or charged) again.</param>
public sealed record ChatCompleted(string FinishReason, int PromptTokens, int CompletionTokens, int CachedPromptTokens, bool Replayed = false) : ChatEvent;

/// <summary>A sampled token's log probability and the most likely alternatives.</summary>
public sealed record TokenLogprob(string Token, float Logprob, IReadOnlyList<(string Token, float Logprob)> Top);

/// <summary>Why the cluster could not serve a call; the gateways map it to HTTP and gRPC status codes.</summary>
public enum ChatFailure
{
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ContextTooLong,
    RateLimited,
    Unavailable,
    Internal,

    /// <summary>Something the caller asked to create exists already (a client-chosen session id in use).</summary>
    AlreadyExists,
}

/// <summary>A call the cluster refused or could not complete.</summary>
public sealed class ChatBackendException : Exception
{
    public ChatBackendException(ChatFailure failure, string message, string? code = null, string? param = null, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
        Code = code;
        Param = param;
    }

    public ChatFailure Failure { get; }

    public string? Code { get; }

    public string? Param { get; }

    /// <summary>For <see cref="ChatFailure.RateLimited"/> and <see cref="ChatFailure.Unavailable"/>: when to retry.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
