using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Qwen2VL.Model.Stages;

namespace Qwen2VL.Server.Hub;

/// <summary>
/// Turns a <c>--model</c> value into a local checkpoint folder: an existing folder is used as is; a hub id
/// (<c>owner/name</c>) is fetched into the huggingface_hub cache and its snapshot folder returned. Offline
/// (<c>HF_HUB_OFFLINE</c>), or when the hub cannot be reached, the snapshot comes from the cache alone.
/// </summary>
public sealed class ModelResolver
{
    private readonly HubSettings _settings;
    private readonly ILogger _logger;
    private readonly HubClient _client;
    private readonly BlobDownloader _downloader;

    /// <summary>Creates a resolver; <paramref name="httpClient"/> must not follow redirects (null creates one).</summary>
    public ModelResolver(HubSettings settings, ILogger<ModelResolver> logger, HttpClient? httpClient = null)
    {
        _settings = settings;
        _logger = logger;
        _client = new HubClient(settings, logger, httpClient);
        _downloader = new BlobDownloader(_client, settings, logger);
    }

    /// <summary>The local folder holding the checkpoint <paramref name="model"/>, downloading what the cache lacks.</summary>
    /// <exception cref="ArgumentException">The value is neither a folder nor a valid hub id, or the options are invalid.</exception>
    /// <exception cref="HubException">The hub refused or failed, a checksum did not match, or (offline) the cache lacks files.</exception>
    public async Task<string> ResolveAsync(string model, ModelDownloadOptions options, CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(model))
        {
            string folder = Path.GetFullPath(model);
            HubLog.UsingLocalFolder(_logger, folder);
            return folder;
        }

        if (!HubRepoId.TryParse(model, out var repo, out string? error))
        {
            throw new ArgumentException($"'{model}' is neither an existing folder nor a hub model id: {error}", nameof(model));
        }

        string revision = HubRevisions.Validate(options.Revision);
        var cache = new HubRepoCache(_settings.CacheDirectory, repo);
        if (_settings.Offline)
        {
            return ResolveFromCache(cache, revision, options.Layers, "HF_HUB_OFFLINE is set", null);
        }

        HubRevision remote;
        try
        {
            remote = await _client.GetRevisionAsync(repo, revision, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (RetryPolicy.IsTransient(e, cancellationToken))
        {
            HubLog.HubUnreachable(_logger, e.Message);
            return ResolveFromCache(cache, revision, options.Layers, $"the hub at {_settings.Endpoint} is unreachable: {e.Message}", e);
        }

        return await DownloadAsync(cache, revision, remote, options, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> DownloadAsync(HubRepoCache cache, string revision, HubRevision remote, ModelDownloadOptions options, CancellationToken cancellationToken)
    {
        string commit = remote.CommitSha;
        string snapshot = cache.SnapshotFolder(commit);
        cache.WriteRef(revision, commit);
        HubLog.ResolvedRevision(_logger, cache.Repo, revision, commit, snapshot);

        var configFiles = CheckpointFiles.ConfigFiles(remote.Files.Contains);
        string? weightsEntry = CheckpointFiles.WeightsEntry(remote.Files.Contains);
        var lacking = configFiles.Where(file => !remote.Files.Contains(file)).ToList();
        if (weightsEntry is null)
        {
            lacking.Add($"{CheckpointFiles.SingleWeights} (or {CheckpointFiles.WeightsIndex})");
        }

        if (lacking.Count > 0)
        {
            throw new HubException($"{cache.Repo} at {commit} is not a servable Qwen2-VL checkpoint: it lacks {string.Join(", ", lacking)}");
        }

        var progress = options.Progress ?? DownloadProgress.ForConsole(_logger);
        await FetchAsync(cache, commit, configFiles, options.MaxParallelDownloads, progress, cancellationToken).ConfigureAwait(false);

        var weights = CheckpointFiles.WeightFiles(weightsEntry!, snapshot, options.Layers);
        if (weights.FirstOrDefault(shard => !remote.Files.Contains(shard)) is { } absent)
        {
            throw new HubException($"{cache.Repo} at {commit}: {CheckpointFiles.WeightsIndex} names the shard '{absent}', which the repo does not have");
        }

        await FetchAsync(cache, commit, weights, options.MaxParallelDownloads, progress, cancellationToken).ConfigureAwait(false);
        return snapshot;
    }

    // Brings each file into the snapshot: skipped when already linked, linked when its blob is cached (shared
    // with another revision), downloaded otherwise.
    private async Task FetchAsync(HubRepoCache cache, string commit, IReadOnlyList<string> files, int parallelism, DownloadProgress progress, CancellationToken cancellationToken)
    {
        var pending = files.Where(file => !cache.HasSnapshotFile(commit, file)).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken };
        var metadata = new ConcurrentDictionary<string, HubFileMetadata>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(pending, parallel, async (file, ct) =>
            metadata[file] = await _client.GetFileMetadataAsync(cache.Repo, commit, file, ct).ConfigureAwait(false)).ConfigureAwait(false);

        var toDownload = new List<HubFileMetadata>();
        foreach (string file in pending)
        {
            var meta = metadata[file];
            if (File.Exists(cache.BlobPath(meta.Etag)))
            {
                cache.LinkSnapshotFile(commit, file, meta.Etag);
            }
            else
            {
                toDownload.Add(meta);
            }
        }

        if (toDownload.Count == 0)
        {
            return;
        }

        long total = toDownload.Sum(file => file.Size ?? 0);
        HubLog.DownloadPlan(_logger, cache.Repo, toDownload.Count, ProgressSnapshot.Megabytes(total));
        progress.Start(total, toDownload.Sum(file => BlobDownloader.PartialLength(cache, file)));
        await Parallel.ForEachAsync(toDownload, parallel, async (file, ct) =>
        {
            await _downloader.DownloadAsync(cache, commit, file, progress, ct).ConfigureAwait(false);
            cache.LinkSnapshotFile(commit, file.FileName, file.Etag);
        }).ConfigureAwait(false);
        progress.Finish();
    }

    private string ResolveFromCache(HubRepoCache cache, string revision, LayerRange? layers, string reason, Exception? hubError)
    {
        string? commit = cache.ResolveCommit(revision);
        if (commit is null || !Directory.Exists(cache.SnapshotFolder(commit)))
        {
            throw new ModelNotCachedException(cache.Repo, revision, cache.RepoFolder,
                [commit is null ? $"refs/{revision}" : $"snapshots/{commit}"], reason, hubError);
        }

        bool Has(string file) => cache.HasSnapshotFile(commit, file);
        var missing = CheckpointFiles.ConfigFiles(Has).Where(file => !Has(file)).ToList();
        string? weightsEntry = CheckpointFiles.WeightsEntry(Has);
        if (weightsEntry is null)
        {
            missing.Add($"{CheckpointFiles.SingleWeights} (or {CheckpointFiles.WeightsIndex} and its shards)");
        }
        else if (layers is null || Has(CheckpointFiles.Config))
        {
            missing.AddRange(CheckpointFiles.WeightFiles(weightsEntry, cache.SnapshotFolder(commit), layers).Where(file => !Has(file)));
        }

        if (missing.Count > 0)
        {
            throw new ModelNotCachedException(cache.Repo, revision, cache.SnapshotFolder(commit), missing, reason, hubError);
        }

        string snapshot = cache.SnapshotFolder(commit);
        HubLog.UsingCache(_logger, cache.Repo, snapshot, reason);
        return snapshot;
    }
}
