using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Grains.Abstractions.Workers;
using Qwen2VL.Grains.Generation;
using Qwen2VL.Grains.Sessions;

namespace Qwen2VL.Grains.Stateless;

/// <summary>See <see cref="IStatelessChatGrain"/>.</summary>
[StatelessWorker]
// Callers use a fresh key per request (one enumerator per activation); idle ones should not linger for the default 15 minutes.
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
        string affinity = AffinityKey(request);
        var run = new FailoverRun(_backend, _options.MaxGenerationAttempts);
        var tokens = run.RunAsync(
            tried => directory.AcquirePipelineAsync(new PipelineRequest(request.ModelId, null, affinity, [.. tried])),
            (pipeline, continuation) => new GenerationRequest(pipeline, request.TenantId, $"{request.TenantId}/stateless/{requestId}",
                request.Conversation, FailoverRun.RemainingBudget(request.Sampling, continuation.Length), KeepCache: false, requestId, continuation, request.MaxContextTokens),
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

    /// <summary>Requests sharing their first message (usually the system prompt) meet on the same pipeline.</summary>
    private static string AffinityKey(StatelessChatRequest request)
    {
        var first = request.Conversation[0];
        string text = $"{request.TenantId}\n{request.ModelId}\n{first.Role}\n{first.Text}\n{string.Join(',', first.Media.Select(m => m.ContentHash))}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }

    private GenerationUnavailableException Unavailable(StatelessChatRequest request, List<string> tried, string? lastFailure) =>
        new($"{request.TenantId}/stateless", request.ModelId, tried.Count, tried, _options.RetryAfter, lastFailure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stateless request {RequestId}: pipeline {PipelineId} failed after {Tokens} tokens; trying another")]
    private partial void LogPipelineFailed(Exception? exception, string requestId, string pipelineId, int tokens);
}
