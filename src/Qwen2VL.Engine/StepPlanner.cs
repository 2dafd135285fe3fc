namespace Qwen2VL.Engine;

/// <summary>One sequence's share of a step: compute <see cref="Count"/> of its tokens from <see cref="Start"/>.</summary>
/// <param name="Sequence">Index of the sequence in the list given to the planner.</param>
/// <param name="Start">Index of the first token to compute (equals the tokens already in its cache).</param>
/// <param name="Count">How many tokens to compute.</param>
/// <param name="Sample">Whether this chunk reaches the end of the known tokens, so a next token is sampled.</param>
public readonly record struct PlannedSegment(int Sequence, int Start, int Count, bool Sample);

/// <summary>What the planner needs to know of a running sequence.</summary>
/// <param name="Computed">Tokens already in the KV cache.</param>
/// <param name="Known">Tokens known so far (prompt plus generated).</param>
public readonly record struct PlannerInput(int Computed, int Known);

/// <summary>
/// Forms one continuous-batching step: every decoding sequence contributes its one new token first, so running
/// streams never stall; the remaining token budget goes to prefill chunks in arrival order, so a long prompt is
/// split over several steps instead of starving everyone else for seconds.
/// </summary>
public static class StepPlanner
{
    /// <param name="sequences">Running sequences in arrival order.</param>
    /// <param name="maxBatchTokens">Most tokens computed in the step.</param>
    public static IReadOnlyList<PlannedSegment> Plan(IReadOnlyList<PlannerInput> sequences, int maxBatchTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatchTokens);
        var plan = new List<PlannedSegment>(sequences.Count);
        int budget = maxBatchTokens;
        for (int i = 0; i < sequences.Count && budget > 0; i++)
        {
            var s = sequences[i];
            if (s.Known - s.Computed == 1)
            {
                plan.Add(new PlannedSegment(i, s.Computed, 1, Sample: true));
                budget--;
            }
        }

        for (int i = 0; i < sequences.Count && budget > 0; i++)
        {
            var s = sequences[i];
            int pending = s.Known - s.Computed;
            if (pending > 1)
            {
                int count = Math.Min(pending, budget);
                plan.Add(new PlannedSegment(i, s.Computed, count, Sample: count == pending));
                budget -= count;
            }
        }

        return plan;
    }
}
