namespace Qwen2VL.Engine.Tests;

public class StepPlannerTests
{
    [Fact]
    public void Plan_DecodersFirst_ThenPrefillChunksWithinBudget()
    {
        var sequences = new[]
        {
            new PlannerInput(Computed: 0, Known: 100), // long prompt, arrived first
            new PlannerInput(Computed: 40, Known: 41), // decoding
            new PlannerInput(Computed: 7, Known: 8),   // decoding
            new PlannerInput(Computed: 0, Known: 30),  // short prompt
        };

        var plan = StepPlanner.Plan(sequences, maxBatchTokens: 64);

        Assert.Equal(
            new[]
            {
                new PlannedSegment(1, 40, 1, true),
                new PlannedSegment(2, 7, 1, true),
                new PlannedSegment(0, 0, 62, false), // chunk: no sample until the prompt is complete
            },
            plan);
    }

    [Fact]
    public void Plan_PromptFitsBudget_SamplesAtItsEnd()
    {
        var plan = StepPlanner.Plan(new[] { new PlannerInput(62, 100), new PlannerInput(0, 20) }, maxBatchTokens: 100);

        Assert.Equal(new[] { new PlannedSegment(0, 62, 38, true), new PlannedSegment(1, 0, 20, true) }, plan);
        Assert.True(plan.Sum(p => p.Count) <= 100);
    }

    [Fact]
    public void Plan_MoreDecodersThanBudget_TakesArrivalOrder()
    {
        var sequences = Enumerable.Range(0, 5).Select(_ => new PlannerInput(3, 4)).ToArray();

        var plan = StepPlanner.Plan(sequences, maxBatchTokens: 3);

        Assert.Equal(new[] { 0, 1, 2 }, plan.Select(p => p.Sequence));
    }

    [Fact]
    public void Plan_NothingPending_IsEmpty()
    {
        Assert.Empty(StepPlanner.Plan(new[] { new PlannerInput(5, 5) }, maxBatchTokens: 8));
    }
}
