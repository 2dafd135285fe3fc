using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Workers;

namespace Qwen2VL.Grains.Tests;

/// <summary>Registers fake workers in the directory. Tests use fresh model ids, so their pipelines never mix.</summary>
public static class TestWorkers
{
    /// <summary>Layers of the fake model.</summary>
    public const int TotalLayers = 24;

    /// <summary>A model id no other test uses.</summary>
    public static string NewModelId() => $"model-{Guid.NewGuid():n}"[..18];

    /// <summary>A registration for one worker.</summary>
    public static WorkerRegistration Worker(
        string modelId, string workerId, int start = 0, int end = TotalLayers, int capacity = 8, string? next = null, string instance = "i1") =>
        new(workerId, instance, $"http://{workerId}:7000", modelId, new LayerRange(start, end), TotalLayers, capacity, 100_000, next);

    /// <summary>Registers one single-stage pipeline per worker id; returns the pipeline ids.</summary>
    public static async Task<string[]> RegisterSingleStagePipelinesAsync(IGrainFactory grains, string modelId, params string[] workerIds)
    {
        var directory = grains.GetWorkerDirectory();
        foreach (string id in workerIds)
        {
            await directory.RegisterAsync(Worker(modelId, id));
        }

        return workerIds;
    }
}
