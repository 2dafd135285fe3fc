using System.Runtime.CompilerServices;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Workers;
using Qwen2VL.Grains.Sessions;

namespace Qwen2VL.Grains.Generation;

/// <summary>
/// Runs one answer on worker pipelines, moving to another pipeline when one fails: the new pipeline gets the answer
/// so far as a continuation, so the caller sees every token (and its logprobs, when asked) once. Used by session and
/// stateless chat grains.
/// </summary>
internal sealed class FailoverRun
{
    private readonly IGenerationBackend _backend;
    private readonly int _maxAttempts;

    public FailoverRun(IGenerationBackend backend, int maxAttempts)
    {
        _backend = backend;
        _maxAttempts = maxAttempts;
    }

    /// <summary>Everything generated so far, over every attempt.</summary>
    public AnswerTranscript Answer { get; } = new();

    /// <summary>The pipelines tried, in order.</summary>
    public List<string> Tried { get; } = new();

    /// <summary>Why the last attempt failed, if one did.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>The final event of the attempt that finished; null until then.</summary>
    public GenerationFinished? Finished { get; private set; }

    /// <summary>Answer tokens the finishing attempt was given as a continuation.</summary>
    public int ContinuationLength { get; private set; }

    /// <summary>
    /// Streams generated tokens until an attempt finishes. Throws what <paramref name="unavailable"/> makes when no
    /// pipeline is left or the attempts are used up.
    /// </summary>
    /// <param name="acquire">Picks a pipeline, excluding the ids tried so far; null when none is available.</param>
    /// <param name="request">Builds the request for a pipeline, given the continuation token ids.</param>
    /// <param name="failed">Told about each failed attempt (pipeline, the failure if any, tokens so far).</param>
    /// <param name="unavailable">Makes the exception thrown when no attempt can finish.</param>
    /// <param name="cancellationToken">Stops the current attempt.</param>
    public async IAsyncEnumerable<GeneratedTokens> RunAsync(
        Func<IReadOnlyList<string>, Task<PipelineReference?>> acquire,
        Func<PipelineReference, int[], GenerationRequest> request,
        Action<PipelineReference, Exception?> failed,
        Func<Exception> unavailable,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (Finished is null)
        {
            if (Tried.Count >= _maxAttempts)
            {
                throw unavailable();
            }

            var pipeline = await acquire([.. Tried]).ConfigureAwait(true) ?? throw unavailable();
            Tried.Add(pipeline.Id);
            ContinuationLength = Answer.TokenCount;
            await using var events = _backend.GenerateAsync(request(pipeline, Answer.SnapshotTokenIds()), cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                GenerationEvent? next;
                try
                {
                    next = await events.MoveNextAsync().ConfigureAwait(true) ? events.Current : null;
                }
                catch (PipelineFailureException failure)
                {
                    LastFailure = failure.Message;
                    failed(pipeline, failure);
                    break;
                }

                if (next is GeneratedTokens tokens)
                {
                    Answer.Append(tokens);
                    yield return tokens;
                }
                else if (next is GenerationFinished end)
                {
                    Finished = end;
                    break;
                }
                else
                {
                    LastFailure = $"pipeline '{pipeline.Id}' ended the stream without a final event";
                    failed(pipeline, null);
                    break;
                }
            }
        }
    }

    /// <summary>A continuation may generate only what is left of the turn's token budget.</summary>
    public static SamplingSettings RemainingBudget(SamplingSettings sampling, int alreadyGenerated) =>
        alreadyGenerated > 0 && sampling.MaxTokens is int max ? sampling with { MaxTokens = Math.Max(1, max - alreadyGenerated) } : sampling;
}
