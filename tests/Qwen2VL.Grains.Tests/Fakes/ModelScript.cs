using System.Collections.Concurrent;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Sessions;

namespace Qwen2VL.Grains.Tests.Fakes;

/// <summary>What the fake pipelines of one model answer. Each test uses its own model id, hence its own script.</summary>
public sealed class ModelScript
{
    /// <summary>Token ids are this plus the token's index in <see cref="Tokens"/>.</summary>
    public const int FirstTokenId = 1000;

    private readonly ConcurrentQueue<PipelineFailure> _failures = new();

    /// <summary>The answer, one string per token.</summary>
    public IReadOnlyList<string> Tokens { get; set; } = ["Hello", ",", " world"];

    /// <summary>The answer's finish reason.</summary>
    public FinishReason FinishReason { get; set; } = FinishReason.Stop;

    /// <summary>When set, each call waits for it after its first token (to hold a turn open).</summary>
    public TaskCompletionSource? HoldAfterFirstToken { get; set; }

    /// <summary>The whole answer text.</summary>
    public string AnswerText => string.Concat(Tokens);

    /// <summary>
    /// The logprob the fake pipelines report for token <paramref name="index"/>: −(index + 1)/10, with alternatives
    /// named "alt{index}.{rank}" whose logprobs fall by one per rank below it.
    /// </summary>
    public static GeneratedLogprob LogprobOf(int index, int topLogprobs)
    {
        float logprob = -(index + 1) / 10f;
        return new GeneratedLogprob($"tok{index}", logprob,
            [.. Enumerable.Range(0, topLogprobs).Select(rank => new AlternativeLogprob($"alt{index}.{rank}", logprob - rank))]);
    }

    /// <summary>Plans a failure of the next matching call.</summary>
    public ModelScript FailNext(PipelineFailure failure)
    {
        _failures.Enqueue(failure);
        return this;
    }

    /// <summary>Takes the first planned failure for <paramref name="pipelineId"/>, if any.</summary>
    public PipelineFailure? TakeFailure(string pipelineId)
    {
        if (_failures.TryPeek(out var next) && (next.PipelineId is null || next.PipelineId == pipelineId))
        {
            return _failures.TryDequeue(out var taken) ? taken : null;
        }

        return null;
    }
}
