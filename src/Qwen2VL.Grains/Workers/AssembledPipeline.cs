using Qwen2VL.Grains.Abstractions.Workers;

namespace Qwen2VL.Grains.Workers;

/// <summary>A complete pipeline with the live entries of its stages, for choosing among pipelines by load.</summary>
internal sealed class AssembledPipeline(IReadOnlyList<WorkerEntry> stages)
{
    public IReadOnlyList<WorkerEntry> Stages { get; } = stages;

    public PipelineReference Reference { get; } =
        new(stages[0].Registration.ModelId, [.. stages.Select(s => s.ToStage())]);

    public string Id => Reference.Id;

    public bool Draining => Stages.Any(s => s.Draining);

    /// <summary>The busiest stage's utilization: a pipeline is as free as its slowest stage.</summary>
    public double Utilization => Stages.Max(s => s.Utilization);

    public bool HasRoom => Utilization < 1;

    public long FreeKvTokens => Stages.Min(s => s.FreeKvTokens);
}
