namespace Qwen2VL.Engine.Pipeline;

/// <summary>Builds a pipeline tail from stages held in this process (one-process multi-stage runs, and tests).</summary>
public static class LocalPipeline
{
    /// <summary>Chains <paramref name="stages"/> (in layer order, the last one ending the model) into one tail.</summary>
    public static IPipelineTail Create(IReadOnlyList<HostedStage> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Count == 0)
        {
            throw new ArgumentException("a pipeline tail needs at least one stage", nameof(stages));
        }

        for (int i = 1; i < stages.Count; i++)
        {
            if (stages[i].Stage.Layers.Start != stages[i - 1].Stage.Layers.End)
            {
                throw new ArgumentException($"stage {i} holds layers {stages[i].Stage.Layers} but stage {i - 1} ends at layer {stages[i - 1].Stage.Layers.End}");
            }
        }

        IPipelineTail? next = null;
        for (int i = stages.Count - 1; i >= 0; i--)
        {
            next = new StageRunner(stages[i], next);
        }

        return next!;
    }
}
