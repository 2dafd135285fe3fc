using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Grains.Abstractions.Workers;
using Qwen2VL.Grains.Generation;
using Qwen2VL.Grains.Sessions;

namespace Qwen2VL.Grains.Stateless;

/// <summary>See <see cref="IStatelessChatGrain"/>.</summary>
// A plain grain under a fresh key per request, not a [StatelessWorker]: an answer streams as a series of MoveNext
// calls on one enumerator, and a stateless worker may route the next call to another of its activations (a new one
// when the first is busy, or on another silo when an external client calls through a different gateway), which then
// has no record of the enumerator (EnumerationAbortedException under load). Placed on the caller's silo, as a stateless
// worker would be; idle activations should not linger for the default 15 minutes.
[PreferLocalPlacement]
[CollectionAgeLimit(Minutes = 2)]
public sealed partial class StatelessChatGrain : Grain, IStatelessChatGrain
{
    private readonly IGenerationBackend _backend;
    private readonly SessionGrainOptions _options;
    private readonly ILogger<StatelessChatGrain> _logger;

    /// <summary>Creates the grain; Orleans supplies the arguments.</summary>
    public StatelessChatGrain(IGenerationBackend backend, IOptions<SessionGrainOptions> options, ILogger<StatelessChatGrain> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _backend = backend;
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<TurnEvent> GenerateAsync(StatelessChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Conversation.Count == 0)
        {
            throw new GenerationRejectedException("invalid_message", "a conversation needs at least one message");
        }

        string requestId = string.IsNullOrEmpty(request.RequestId) ? Guid.NewGuid().ToString("n") : request.RequestId;
        var directory = GrainFactory.GetWorkerDirectory();
        var keys = ConversationPrefixKeys.For(request.TenantId, request.ModelId, request.Conversation);
        var run = new FailoverRun(_backend, _options.MaxGenerationAttempts);
        // Routed by the first message, which a growing conversation never changes, so its requests meet the pipeline
        // that kept the previous request's cache; that cache is named by one of the earlier-prefix keys.
        var tokens = run.RunAsync(
            tried => directory.AcquirePipelineAsync(new PipelineRequest(request.ModelId, null, keys.Affinity, [.. tried])),
            (pipeline, continuation) => new GenerationRequest(pipeline, request.TenantId, keys.Whole,
                request.Conversation, FailoverRun.RemainingBudget(request.Sampling, continuation.Length), KeepCache: true, requestId, continuation,
                request.MaxContextTokens, keys.Earlier),
            (pipeline, failure) => LogPipelineFailed(failure, requestId, pipeline.Id, run.Answer.TokenCount),
            () => Unavailable(request, run.Tried, run.LastFailure),
            cancellationToken);
        await foreach (var generated in tokens)
        {
            yield return new TextDelta(generated.Text, generated.TokenIds, generated.Logprobs);
        }

        int prompt = run.Finished!.PromptTokens - run.ContinuationLength;
        var usage = new TurnUsage(prompt, run.Answer.TokenCount, Math.Min(run.Finished.CachedPromptTokens, prompt));
        yield return new TurnCompleted(requestId, run.Finished.FinishReason, usage, run.Answer.Text, Replayed: false);
    }

    private GenerationUnavailableException Unavailable(StatelessChatRequest request, List<string> tried, string? lastFailure) =>
        new($"{request.TenantId}/stateless", request.ModelId, tried.Count, tried, _options.RetryAfter, lastFailure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stateless request {RequestId}: pipeline {PipelineId} failed after {Tokens} tokens; trying another")]
    private partial void LogPipelineFailed(Exception? exception, string requestId, string pipelineId, int tokens);
}
