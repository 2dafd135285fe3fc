using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Qwen2VL.Cli.Bench.Checkpoint;
using Qwen2VL.Cli.Bench.Cluster;
using Qwen2VL.Cli.Bench.Hardware;
using Qwen2VL.Engine;
using Qwen2VL.Model;
using Qwen2VL.Model.Config;
using Qwen2VL.Model.Stages;
using static TorchSharp.torch;

namespace Qwen2VL.Cli.Bench;

/// <summary>
/// What the suites of one run share: the model (loaded once, lazily), its weight sizes, and the machine rates that turn
/// times into ratios (memory read bandwidth, bf16 GEMM rate). On a shared machine those rates move with the load from
/// minute to minute, so they are measured right beside each timed workload (<see cref="Bracket"/>), never once per run.
/// </summary>
internal sealed class BenchContext : IDisposable
{
    /// <summary>Threads of the streaming read: the decode floor is defined for two.</summary>
    public const int BandwidthThreads = 2;

    // Small models still get a buffer far larger than the caches, so the read measures memory, not cache.
    private const long MinBandwidthBytes = 256L << 20;

    private readonly BenchSettings _settings;
    private readonly TextWriter _log;
    private Qwen2VLStage? _model;
    private string? _checkpoint;

    public BenchContext(BenchSettings settings, TextWriter log)
    {
        _settings = settings;
        _log = log;
        Config = Qwen2VLConfig.Parse(settings.ConfigJson);
        var shapes = Qwen2VLStage.ParameterShapes(Config);
        long Bytes(Func<string, bool> include) => shapes.Where(p => include(p.Name)).Sum(p => p.Shape.Aggregate(2L, (a, b) => a * b));
        WeightBytes = Bytes(_ => true);
        // Everything a decode step reads: the decoder, its norms and the head (the tied embedding, read as the head).
        LanguageModelBytes = Bytes(n => n.StartsWith("model.", StringComparison.Ordinal) || n.StartsWith("lm_head.", StringComparison.Ordinal));
    }

    /// <summary>The model config.</summary>
    public Qwen2VLConfig Config { get; }

    /// <summary>Bytes of all bf16 weights.</summary>
    public long WeightBytes { get; }

    /// <summary>Bytes of the language model's bf16 weights (what batch-1 decoding must read per token).</summary>
    public long LanguageModelBytes { get; }

    /// <summary>The whole model in bfloat16 on the CPU, loaded through the normal checkpoint loader on first use.</summary>
    public Qwen2VLStage Model => _model ??= LoadModel();

    /// <summary>
    /// Runs <paramref name="work"/> between two measurements of <paramref name="rate"/> and returns its result with
    /// the mean of the two rates, so the ratio compares figures taken under the same load.
    /// </summary>
    public static async Task<(T Result, double Rate)> Bracket<T>(Func<double> rate, Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(rate);
        ArgumentNullException.ThrowIfNull(work);
        double before = rate();
        var result = await work().ConfigureAwait(false);
        double after = rate();
        return (result, (before + after) / 2);
    }

    /// <summary>
    /// The whole checkpoint (tokenizer included) the cluster suites serve, or null after noting that
    /// <paramref name="key"/> could not be measured and why.
    /// </summary>
    public string? ServableCheckpoint(BenchResults results, string key)
    {
        ArgumentNullException.ThrowIfNull(results);
        var (folder, problem) = Cluster.ServableCheckpoint.Resolve(_settings.ServeModel);
        if (folder is null)
        {
            results.Note($"{key} not measured: {problem}");
        }

        return folder;
    }

    /// <summary>Whether <c>--model</c> named the checkpoint the cluster suites serve.</summary>
    public bool ServeModelGiven => _settings.ServeModel is not null;

    /// <summary>
    /// The suite's random checkpoint (the benchmarked config) made servable with the tokenizer of the checkpoint the
    /// cluster suites serve, or null after noting why not.
    /// </summary>
    public string? ServableRandomCheckpoint(BenchResults results, string key)
    {
        if (ServableCheckpoint(results, key) is not { } tokenizerSource)
        {
            return null;
        }

        _checkpoint ??= RandomCheckpoint.Ensure(_settings.ConfigJson, _settings.CacheRoot, Log);
        return Cluster.ServableCheckpoint.WithTokenizerOf(_checkpoint, tokenizerSource);
    }

    /// <summary>Writes a progress line to standard error.</summary>
    public void Log(string message) => _log.WriteLine($"[bench] {message}");

    /// <summary>A fresh engine over the shared model; dispose it before the next one.</summary>
    public InferenceEngine NewEngine(EngineOptions? options = null) =>
        new(Model, Array.Empty<int>(), options ?? new EngineOptions { KvCacheTokens = 16384, MaxRunningSequences = 32 }, NullLogger<InferenceEngine>.Instance);

    public void Dispose() => _model?.Dispose();

    private Qwen2VLStage LoadModel()
    {
        _checkpoint ??= RandomCheckpoint.Ensure(_settings.ConfigJson, _settings.CacheRoot, Log);
        var clock = Stopwatch.StartNew();
        var model = Qwen2VLStage.Load(_checkpoint, new ModelPlacement(ScalarType.BFloat16, CPU));
        Log($"loaded {WeightBytes / 1e9:F2} GB of bf16 weights in {clock.Elapsed.TotalSeconds:F1} s");
        return model;
    }

    /// <summary>Memory read bandwidth (bytes/s, median pass) of a <see cref="BandwidthThreads"/>-thread streaming read over a buffer at least as large as the LM weights.</summary>
    public double MeasureReadBandwidth()
    {
        long bytes = Math.Max(LanguageModelBytes, MinBandwidthBytes);
        var (median, best) = MemoryBandwidth.Measure(bytes, BandwidthThreads);
        Log($"streaming read, {BandwidthThreads} threads over {bytes / 1e9:F2} GB: {median / 1e9:F1} GB/s (median pass; best {best / 1e9:F1})");
        return median;
    }

    /// <summary>bf16 GEMM rate (FLOP/s) of 2048³ products.</summary>
    public double MeasureBf16GemmRate()
    {
        double rate = GemmRate.Measure(ScalarType.BFloat16);
        Log($"bf16 GEMM 2048³: {rate / 1e9:F0} GFLOP/s");
        return rate;
    }
}
