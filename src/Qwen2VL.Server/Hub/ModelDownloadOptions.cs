using Qwen2VL.Model.Stages;

namespace Qwen2VL.Server.Hub;

/// <summary>What to fetch of a hub model and how to show it.</summary>
public sealed record ModelDownloadOptions
{
    /// <summary>A branch, tag or commit sha.</summary>
    public string Revision { get; init; } = HubRevisions.Default;

    /// <summary>
    /// When set, a sharded checkpoint fetches only the shards holding this stage's tensors (see
    /// <see cref="StageTensorFilter"/>); null fetches all weights.
    /// </summary>
    public LayerRange? Layers { get; init; }

    /// <summary>How many files download at once.</summary>
    public int MaxParallelDownloads { get; init; } = 4;

    /// <summary>Where progress goes; null picks a bar or log lines by whether output is a terminal.</summary>
    public DownloadProgress? Progress { get; init; }
}
