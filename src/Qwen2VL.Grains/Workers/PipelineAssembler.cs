namespace Qwen2VL.Grains.Workers;

/// <summary>
/// Chains workers of one model into complete pipelines: each starts at a worker running layer 0 and adds the worker
/// whose layers start where the last one's end, until the model's last layer. Each worker joins at most one
/// pipeline, since a stage forwards to one next stage. Deterministic (by worker id), so pipelines keep their ids
/// while the same workers live.
/// </summary>
internal static class PipelineAssembler
{
    public static IReadOnlyList<AssembledPipeline> Assemble(IEnumerable<WorkerEntry> workers, string modelId)
    {
        var candidates = workers
            .Where(w => w.Registration.ModelId == modelId)
            .OrderBy(w => w.Registration.WorkerId, StringComparer.Ordinal)
            .ToList();
        var used = new HashSet<WorkerEntry>();
        var pipelines = new List<AssembledPipeline>();
        foreach (var first in candidates.Where(w => w.Registration.Layers.Start == 0))
        {
            var chain = new List<WorkerEntry> { first };
            int total = first.Registration.TotalLayers;
            while (chain[^1].Registration.Layers.End < total)
            {
                var last = chain[^1].Registration;
                var next = candidates.FirstOrDefault(w =>
                    !used.Contains(w)
                    && !chain.Contains(w)
                    && w.Registration.TotalLayers == total
                    && w.Registration.Layers.Start == last.Layers.End
                    && (last.NextStageAddress is null || w.Registration.Address == last.NextStageAddress));
                if (next is null)
                {
                    break;
                }

                chain.Add(next);
            }

            if (chain[^1].Registration.Layers.End == total)
            {
                used.UnionWith(chain);
                pipelines.Add(new AssembledPipeline(chain));
            }
        }

        return pipelines;
    }
}
