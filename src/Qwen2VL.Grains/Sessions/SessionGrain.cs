using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Grains.Abstractions.Workers;
using Qwen2VL.Grains.Generation;
using Qwen2VL.Grains.Hosting;

namespace Qwen2VL.Grains.Sessions;

/// <summary>
/// A conversation: history, idempotency record and KV lease, persisted; turns run one at a time and move to another
/// pipeline (prefilling the stored history plus the answer so far) when theirs fails. See <see cref="ISessionGrain"/>.
/// </summary>
public sealed partial class SessionGrain : Grain, ISessionGrain
{
    private readonly IPersistentState<SessionState> _state;
    private readonly IGenerationBackend _backend;
    private readonly IMediaStore _media;
    private readonly SessionGrainOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<SessionGrain> _logger;

    // Not persisted: the turn streaming now. A turn that dies with the activation stored nothing, so there is
    // nothing to recover.
    private string? _runningRequestId;

    /// <summary>Creates the grain; Orleans supplies the arguments.</summary>
    public SessionGrain(
        [PersistentState("session", GrainStorage.Name)] IPersistentState<SessionState> state,
        IGenerationBackend backend,
        IMediaStore media,
        IOptions<SessionGrainOptions> options,
        [FromKeyedServices(ControlPlaneClock.ServiceKey)] TimeProvider clock,
        ILogger<SessionGrain> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _state = state;
        _backend = backend;
        _media = media;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
    }

    private SessionKey Key => SessionKey.Parse(this.GetPrimaryKeyString());

    private SessionState State => _state.State;

    /// <inheritdoc/>
    public async Task<SessionInfo> CreateAsync(CreateSessionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = Key;
        if (State.Exists)
        {
            throw new SessionAlreadyExistsException(key.ToString());
        }

        if (string.IsNullOrWhiteSpace(request.ModelId))
        {
            throw new ArgumentException($"session '{key}' needs a model id", nameof(request));
        }

        var now = _clock.GetUtcNow();
        _state.State = new SessionState
        {
            Exists = true,
            ModelId = request.ModelId,
            CreatedAt = now,
            UpdatedAt = now,
            SystemPrompt = string.IsNullOrEmpty(request.SystemPrompt) ? null : request.SystemPrompt,
            DefaultSampling = request.DefaultSampling ?? SamplingSettings.None,
            // Epochs continue across a delete and re-create, so a cache left behind is never taken for the new one.
            LastLeaseEpoch = State.LastLeaseEpoch,
        };
        await _state.WriteStateAsync();
        await GrainFactory.GetGrain<ISessionIndexGrain>(key.TenantId).AddAsync(key.SessionId, now);
        return ToInfo(key);
    }

    /// <inheritdoc/>
    public Task<SessionInfo> GetAsync()
    {
        var key = Key;
        EnsureExists(key);
        return Task.FromResult(ToInfo(key));
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteAsync()
    {
        var key = Key;
        if (!State.Exists)
        {
            return false;
        }

        if (_runningRequestId is not null)
        {
            throw new SessionBusyException(key.ToString(), _runningRequestId, "delete");
        }

        if (State.Lease is { } lease)
        {
            await ReleaseCacheQuietlyAsync(key, lease);
        }

        _state.State = new SessionState { LastLeaseEpoch = State.LastLeaseEpoch };
        await _state.WriteStateAsync();
        await GrainFactory.GetGrain<ISessionIndexGrain>(key.TenantId).RemoveAsync(key.SessionId);
        return true;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<TurnEvent> ChatAsync(
        TurnRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = Key;
        EnsureExists(key);
        ValidateMessages(key, request.Messages);
        string requestId = string.IsNullOrEmpty(request.RequestId) ? Guid.NewGuid().ToString("n") : request.RequestId;

        if (State.CompletedTurns.Find(t => t.RequestId == requestId) is { } completed)
        {
            LogReplay(key.ToString(), requestId);
            // Only the text and token ids are stored: a replayed answer has no logprobs.
            yield return new TextDelta(completed.Text, completed.TokenIds);
            yield return new TurnCompleted(requestId, completed.FinishReason, completed.Usage, completed.Text, Replayed: true);
            yield break;
        }

        if (_runningRequestId is not null)
        {
            throw new SessionBusyException(key.ToString(), _runningRequestId, requestId);
        }

        _runningRequestId = requestId;
        try
        {
            if (request.MaxContextTokens is int maxContext && State.HistoryTokens >= maxContext)
            {
                throw new ContextLimitExceededException(key.ToString(), State.HistoryTokens, maxContext);
            }

            await EnsureMediaStoredAsync(key, request.Messages, cancellationToken);

            var conversation = BuildConversation(request.Messages);
            var sampling = State.DefaultSampling.With(request.Sampling);
            var directory = GrainFactory.GetWorkerDirectory();
            string? affinity = PrefixAffinity.For(State.ModelId, State.SystemPrompt);
            var run = new FailoverRun(_backend, _options.MaxGenerationAttempts);
            KvLease? lease = null;
            var tokens = run.RunAsync(
                tried => directory.AcquirePipelineAsync(new PipelineRequest(State.ModelId, State.Lease?.Pipeline, affinity, [.. tried])),
                (pipeline, continuation) =>
                {
                    lease = LeaseOn(pipeline);
                    return new GenerationRequest(pipeline, key.TenantId, KvLease.SequenceKeyFor(key, lease.Epoch), conversation,
                        FailoverRun.RemainingBudget(sampling, continuation.Length), KeepCache: true, requestId, continuation, request.MaxContextTokens);
                },
                (pipeline, failure) =>
                {
                    LogPipelineFailed(failure, key.ToString(), requestId, pipeline.Id, run.Answer.TokenCount);
                    // The cache on that pipeline is gone or unusable; a later turn must not be sent back to it.
                    State.Lease = null;
                },
                () => Unavailable(key, run.Tried, run.LastFailure),
                cancellationToken);
            await foreach (var generated in tokens)
            {
                yield return new TextDelta(generated.Text, generated.TokenIds, generated.Logprobs);
            }

            var result = await StoreTurnAsync(key, requestId, request.Messages, run.Answer, run.Finished!, lease!, run.ContinuationLength);
            yield return new TurnCompleted(requestId, result.FinishReason, result.Usage, result.Text, Replayed: false);
        }
        finally
        {
            _runningRequestId = null;
        }
    }

    private async Task<CompletedTurn> StoreTurnAsync(
        SessionKey key,
        string requestId,
        IReadOnlyList<ChatMessage> newMessages,
        AnswerTranscript answer,
        GenerationFinished finished,
        KvLease lease,
        int continuationLength)
    {
        // The last pipeline prefilled the continuation as part of its prompt; the client's prompt is what came before.
        int promptTokens = Math.Max(0, finished.PromptTokens - continuationLength);
        var usage = new TurnUsage(promptTokens, answer.TokenCount, Math.Min(finished.CachedPromptTokens, promptTokens));
        var now = _clock.GetUtcNow();
        var turn = new CompletedTurn(requestId, finished.FinishReason, usage, answer.Text, answer.SnapshotTokenIds(), now);
        long coveredTokens = finished.PromptTokens + (answer.TokenCount - continuationLength);

        var before = (State.History.Count, State.CompletedTurns.Count, State.Lease, State.HistoryTokens, State.UpdatedAt, State.LastLeaseEpoch);
        State.History.AddRange(newMessages);
        State.History.Add(ChatMessage.FromText(ChatRole.Assistant, answer.Text));
        State.CompletedTurns.Add(turn);
        State.Lease = lease with { CoveredTokens = coveredTokens };
        State.LastLeaseEpoch = Math.Max(State.LastLeaseEpoch, lease.Epoch);
        State.HistoryTokens = coveredTokens;
        State.UpdatedAt = now;
        try
        {
            await _state.WriteStateAsync();
        }
        catch
        {
            // Keep memory equal to storage: the turn is not stored, so it must not be visible either.
            State.History.RemoveRange(before.Item1, State.History.Count - before.Item1);
            State.CompletedTurns.RemoveRange(before.Item2, State.CompletedTurns.Count - before.Item2);
            (State.Lease, State.HistoryTokens, State.UpdatedAt, State.LastLeaseEpoch) = (before.Lease, before.HistoryTokens, before.UpdatedAt, before.LastLeaseEpoch);
            throw;
        }

        LogTurnStored(key.ToString(), requestId, lease.Pipeline.Id, lease.Epoch, usage.PromptTokens, usage.CompletionTokens, usage.CachedPromptTokens);
        return turn;
    }

    /// <summary>The lease to run on <paramref name="pipeline"/>: the current one if it is the same pipeline, else a new epoch.</summary>
    private KvLease LeaseOn(PipelineReference pipeline)
    {
        if (State.Lease is { } current && current.Pipeline.IsSameInstanceAs(pipeline))
        {
            return current;
        }

        long epoch = Math.Max(State.LastLeaseEpoch, State.Lease?.Epoch ?? 0) + 1;
        State.LastLeaseEpoch = epoch;
        return new KvLease(pipeline, CoveredTokens: 0, epoch);
    }


    private List<ChatMessage> BuildConversation(IReadOnlyList<ChatMessage> newMessages)
    {
        var conversation = new List<ChatMessage>(State.History.Count + newMessages.Count + 1);
        if (State.SystemPrompt is { } system)
        {
            conversation.Add(ChatMessage.FromText(ChatRole.System, system));
        }

        conversation.AddRange(State.History);
        conversation.AddRange(newMessages);
        return conversation;
    }

    private async Task EnsureMediaStoredAsync(SessionKey key, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        foreach (string hash in messages.SelectMany(m => m.Media).Select(m => m.ContentHash).Distinct(StringComparer.Ordinal))
        {
            if (!await _media.ExistsAsync(key.TenantId, hash, cancellationToken))
            {
                throw new MediaNotFoundException(key.TenantId, hash);
            }
        }
    }

    private static void ValidateMessages(SessionKey key, IReadOnlyList<ChatMessage>? messages)
    {
        if (messages is null || messages.Count == 0)
        {
            throw new ArgumentException($"a turn of session '{key}' needs at least one message");
        }

        for (int i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Role is not (ChatRole.User or ChatRole.Tool))
            {
                throw new ArgumentException($"message {i} of a turn of session '{key}' has role {message.Role}; turns add user or tool messages");
            }

            if (message.Content is null || message.Content.Count == 0)
            {
                throw new ArgumentException($"message {i} of a turn of session '{key}' has no content");
            }

            if (message.Content.FirstOrDefault(p => p.IsMedia && !MediaHash.IsWellFormed(p.Media?.ContentHash)) is { } bad)
            {
                throw new ArgumentException(
                    $"message {i} of a turn of session '{key}' refers to media '{bad.Media?.ContentHash}', not a {MediaHash.Length}-character lower-case hex SHA-256");
            }
        }
    }

    private async Task ReleaseCacheQuietlyAsync(SessionKey key, KvLease lease)
    {
        using var timeout = new CancellationTokenSource(_options.ReleaseCacheTimeout);
        try
        {
            await _backend.ReleaseCacheAsync(lease.Pipeline, key.TenantId, KvLease.SequenceKeyFor(key, lease.Epoch), timeout.Token);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The cache is an optimisation; a worker that cannot be told evicts it under memory pressure anyway.
            LogReleaseFailed(exception, key.ToString(), lease.Pipeline.Id);
        }
    }

    private GenerationUnavailableException Unavailable(SessionKey key, List<string> tried, string? lastFailure) =>
        new(key.ToString(), State.ModelId, tried.Count, [.. tried], _options.RetryAfter, lastFailure);

    private void EnsureExists(SessionKey key)
    {
        if (!State.Exists)
        {
            throw new SessionNotFoundException(key.ToString());
        }
    }

    private SessionInfo ToInfo(SessionKey key) => new(
        key,
        State.ModelId,
        State.CreatedAt,
        State.UpdatedAt,
        State.SystemPrompt,
        State.DefaultSampling,
        [.. State.History],
        State.CompletedTurns.Count,
        State.HistoryTokens,
        State.Lease);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {Session}: request {RequestId} already completed, replaying the stored answer")]
    private partial void LogReplay(string session, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {Session}: request {RequestId} failed on pipeline {Pipeline} after {Tokens} answer tokens; moving to another pipeline")]
    private partial void LogPipelineFailed(Exception? exception, string session, string requestId, string pipeline, int tokens);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {Session}: stored request {RequestId} from pipeline {Pipeline} (epoch {Epoch}); prompt {PromptTokens}, completion {CompletionTokens}, cached {CachedTokens} tokens")]
    private partial void LogTurnStored(string session, string requestId, string pipeline, long epoch, int promptTokens, int completionTokens, int cachedTokens);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {Session}: could not release its cache on pipeline {Pipeline}")]
    private partial void LogReleaseFailed(Exception exception, string session, string pipeline);
}
