using Qwen2VL.Model.Cache;
using Qwen2VL.Model.Config;
using Qwen2VL.Model.Layers;
using Qwen2VL.Model.Text;
using Qwen2VL.Model.Vision;
using Qwen2VL.Model.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Stages;

/// <summary>
/// A pipeline stage of Qwen2-VL: decoder layers [a, b), plus the vision tower and token embedding on the first stage
/// (a = 0) and the final norm and head on the last (b = L). The whole model is the single stage [0, L). Registered
/// parameter names equal the checkpoint keys (<c>visual.*</c>, <c>model.*</c>, <c>lm_head.weight</c>).
/// The stage holds no per-sequence state: KV caches belong to the caller (<see cref="CreateKvCache"/>).
/// </summary>
public sealed class Qwen2VLStage : nn.Module
{
    private readonly MultimodalRotaryEmbedding _rope;

    private Qwen2VLStage(Qwen2VLConfig config, LayerRange layers, ModelPlacement placement)
        : base(nameof(Qwen2VLStage))
    {
        if (layers.End > config.NumHiddenLayers)
        {
            throw new ArgumentOutOfRangeException(nameof(layers), $"layer range {layers} exceeds the model's {config.NumHiddenLayers} layers");
        }

        Config = config;
        Layers = layers;
        Placement = placement;
        _rope = new MultimodalRotaryEmbedding(config);
        bool tiedHead = IsLast && config.TieWordEmbeddings;
        if (IsFirst)
        {
            Visual = new VisionTower(config.VisionSettings, placement);
            register_module("visual", Visual);
        }

        Model = new TextModel(config, layers, withEmbedding: IsFirst || tiedHead, withFinalNorm: IsLast, placement);
        register_module("model", Model);
        if (IsLast && !config.TieWordEmbeddings)
        {
            LmHead = new LinearProjection(config.HiddenSize, config.VocabSize, hasBias: false, placement);
            register_module("lm_head", LmHead);
        }
    }

    /// <summary>The model config.</summary>
    public Qwen2VLConfig Config { get; }

    /// <summary>The decoder layers this stage holds.</summary>
    public LayerRange Layers { get; }

    /// <summary>Dtype and device of parameters and activations.</summary>
    public ModelPlacement Placement { get; }

    /// <summary>Whether this stage starts the model (holds the vision tower and the embedding, takes token ids).</summary>
    public bool IsFirst => Layers.Start == 0;

    /// <summary>Whether this stage ends the model (holds the final norm and head, returns logits).</summary>
    public bool IsLast => Layers.End == Config.NumHiddenLayers;

    /// <summary>The vision tower (first stage only).</summary>
    public VisionTower? Visual { get; }

    /// <summary>Embedding, decoder layers and final norm as held by this stage.</summary>
    public TextModel Model { get; }

    /// <summary>The untied head (last stage of a model with untied embeddings).</summary>
    public LinearProjection? LmHead { get; }

    /// <summary>The M-RoPE table builder.</summary>
    public MultimodalRotaryEmbedding Rope => _rope;

    /// <summary>Builds a stage with uninitialised parameters; with a meta placement nothing is allocated.</summary>
    public static Qwen2VLStage Create(Qwen2VLConfig config, LayerRange layers, ModelPlacement placement)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(placement);
        return new Qwen2VLStage(config, layers, placement);
    }

    /// <summary>
    /// Loads a stage from a Hugging Face checkpoint folder (config.json plus model.safetensors or shards). Only the
    /// tensors of this stage are read. Loading is strict: every parameter must be present with its exact shape, and a
    /// checkpoint tensor that belongs to no part of the model is an error.
    /// </summary>
    /// <param name="checkpointDirectory">The folder holding config.json and the weights.</param>
    /// <param name="placement">Target dtype (float32 or bfloat16, whatever the files hold) and device.</param>
    /// <param name="layers">The decoder layers of this stage; null loads the whole model.</param>
    public static Qwen2VLStage Load(string checkpointDirectory, ModelPlacement placement, LayerRange? layers = null)
    {
        ArgumentNullException.ThrowIfNull(placement);
        if (placement.IsMeta)
        {
            throw new ArgumentException("cannot load weights onto the meta device; use Create for shapes only", nameof(placement));
        }

        var config = Qwen2VLConfig.Load(checkpointDirectory);
        var range = layers ?? new LayerRange(0, config.NumHiddenLayers);
        var index = CheckpointIndex.Open(checkpointDirectory);
        var stage = new Qwen2VLStage(config, range, placement);
        try
        {
            stage.LoadWeights(index, checkpointDirectory);
            return stage;
        }
        catch
        {
            stage.Dispose();
            throw;
        }
    }

    /// <summary>Names and shapes of every parameter of the whole model described by <paramref name="config"/>, without allocating.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> ParameterShapes(Qwen2VLConfig config, LayerRange? layers = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var stage = Create(config, layers ?? new LayerRange(0, config.NumHiddenLayers), ModelPlacement.Meta(ScalarType.BFloat16));
        return stage.named_parameters().Select(p => (p.name, p.parameter.shape)).ToList();
    }

    /// <summary>KV cache bytes one token costs on this stage (keys and values of every layer it holds).</summary>
    public long KvCacheBytesPerToken => 2L * Layers.Count * Config.NumKeyValueHeads * Config.HeadDim * Placement.ElementSize;

    /// <summary>A KV cache for one sequence on this stage, with room for <paramref name="initialCapacity"/> tokens, growable to <paramref name="maxCapacity"/>.</summary>
    public KvCache CreateKvCache(int initialCapacity, int maxCapacity) =>
        new(Layers, Config.NumKeyValueHeads, Config.HeadDim, initialCapacity, maxCapacity, Placement);

    /// <summary>
    /// Runs the vision tower (first stage only): pixel_values [N, 1176] with grid_thw [n, 3] to features [N/4, H] in
    /// the model dtype, one row per image or video pad token.
    /// </summary>
    public Tensor EncodeVision(Tensor pixelValues, Tensor gridThw, VisionTrace? trace = null)
    {
        var visual = Visual ?? throw new InvalidOperationException($"stage {Layers} is not the first stage and holds no vision tower");
        return visual.Forward(pixelValues, gridThw, trace);
    }

    /// <summary>
    /// Runs the stage on a flat batch of new tokens from several sequences: projections, RoPE and MLP on the whole batch,
    /// attention per segment against its own KV cache (causal within its new tokens). Serves prefill, chunked prefill,
    /// decode and mixed batches alike. Each segment's cache is first truncated to its CachedTokens, then holds
    /// CachedTokens + NewTokens tokens afterwards.
    /// </summary>
    public StageOutput Forward(StageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var inference = inference_mode();
        int total = PrepareSegments(input.Segments);
        var plans = new List<SegmentPlan>(input.Segments.Count);
        DecodeBatch? decodeBatch = null;
        try
        {
            int offset = 0;
            foreach (var segment in input.Segments)
            {
                plans.Add(new SegmentPlan(segment.Cache, offset, segment.CachedTokens, segment.NewTokens, Config.QueryGroups, Placement.Device));
                offset += segment.NewTokens;
            }

            decodeBatch = DecodeBatch.TryCreate(plans, Config.NumKeyValueHeads, Config.HeadDim, Placement);
            return Run(input, total, plans, decodeBatch);
        }
        finally
        {
            decodeBatch?.Dispose();
            foreach (var plan in plans)
            {
                plan.Dispose();
            }
        }
    }

    private StageOutput Run(StageInput input, int total, List<SegmentPlan> plans, DecodeBatch? decodeBatch)
    {
        using var scope = NewDisposeScope();
        var hidden = IsFirst ? EmbedFirstStage(input, total) : CheckHidden(input.Hidden, total);
        var positions = CheckPositions(input.PositionIds, total);
        var (cos32, sin32) = _rope.Compute(positions);
        var cos = cos32.to(Placement.DType).unsqueeze(1);
        var sin = sin32.to(Placement.DType).unsqueeze(1);

        var captured = new List<Tensor>();
        if (input.CaptureHiddenStates)
        {
            captured.Add(hidden);
        }

        // The step planner puts decode tokens (one per sequence) first; they take the row-invariant decode path.
        int decodeRows = plans.TakeWhile((plan, i) => plan.NewTokens == 1 && plan.Offset == i).Count();
        foreach (var layer in Model.Layers.Items)
        {
            hidden = layer.Forward(hidden, cos, sin, plans, decodeBatch, decodeRows);
            if (input.CaptureHiddenStates)
            {
                captured.Add(hidden);
            }
        }

        foreach (var plan in plans)
        {
            plan.Cache.Commit(plan.TotalTokens);
        }

        Tensor? logits = null;
        if (IsLast)
        {
            var norm = Model.Norm!;
            if (input.CaptureHiddenStates)
            {
                captured[^1] = norm.Forward(hidden);
            }

            var rows = LogitRows(input.LogitRows, plans, total);
            if (rows.Length > 0)
            {
                var selected = hidden.index_select(0, tensor(rows, ScalarType.Int64, Placement.Device));
                var weight = LmHead?.Weight ?? Model.EmbedTokens!.Weight;
                // One row per sampled sequence, each computed the same way whatever else is sampled.
                logits = LinearProjection.ApplyToStep(norm.Forward(selected), weight, null, rows.Length).to(ScalarType.Float32);
            }
        }

        var outputHidden = IsLast ? null : hidden;
        scope.MoveToOuter(captured.Cast<IDisposable>());
        outputHidden?.MoveToOuterDisposeScope();
        logits?.MoveToOuterDisposeScope();
        return new StageOutput(outputHidden, logits, captured);
    }

    private int PrepareSegments(IReadOnlyList<SequenceSegment> segments)
    {
        if (segments is null || segments.Count == 0)
        {
            throw new ArgumentException("a stage forward needs at least one segment");
        }

        var seen = new HashSet<KvCache>(ReferenceEqualityComparer.Instance);
        long total = 0;
        for (int i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (segment.NewTokens <= 0)
            {
                throw new ArgumentException($"segment {i} brings {segment.NewTokens} new tokens; at least 1 is needed");
            }

            if (!seen.Add(segment.Cache))
            {
                throw new ArgumentException($"segment {i} uses a KV cache already used by another segment of the batch");
            }

            if (segment.Cache.Layers != Layers)
            {
                throw new ArgumentException($"segment {i}'s KV cache serves layers {segment.Cache.Layers}, this stage holds {Layers}");
            }

            if (segment.CachedTokens < 0 || segment.CachedTokens > segment.Cache.Length)
            {
                throw new ArgumentException($"segment {i} claims {segment.CachedTokens} cached tokens, its KV cache holds {segment.Cache.Length}");
            }

            total += segment.NewTokens;
        }

        // Validate everything before touching any cache, so a rejected batch leaves every cache as it was.
        foreach (var segment in segments)
        {
            segment.Cache.EnsureCapacity(segment.CachedTokens + segment.NewTokens);
        }

        foreach (var segment in segments)
        {
            segment.Cache.Truncate(segment.CachedTokens);
        }

        return checked((int)total);
    }

    private Tensor EmbedFirstStage(StageInput input, int total)
    {
        var ids = input.InputIds ?? throw new ArgumentException("the first stage needs InputIds");
        if (ids.numel() != total)
        {
            throw new ArgumentException($"InputIds holds {ids.numel()} tokens, the segments bring {total}");
        }

        ids = ids.reshape(-1).to(ScalarType.Int64, Placement.Device);
        var hidden = Model.EmbedTokens!.Forward(ids);
        ScatterFeatures(hidden, ids, Config.ImageTokenId, input.ImageEmbeds, "image");
        ScatterFeatures(hidden, ids, Config.VideoTokenId, input.VideoEmbeds, "video");
        return hidden;
    }

    /// <summary>Replaces the embeddings of the pad tokens with the vision features, in order; counts must match.</summary>
    private void ScatterFeatures(Tensor hidden, Tensor ids, long padTokenId, Tensor? features, string kind)
    {
        var positions = ids.eq(padTokenId).nonzero().reshape(-1);
        long tokens = positions.shape[0];
        long rows = features?.shape[0] ?? 0;
        if (tokens != rows)
        {
            throw new ArgumentException($"{kind} features and {kind} tokens do not match: tokens {tokens}, features {rows}");
        }

        if (tokens == 0)
        {
            return;
        }

        if (features!.dim() != 2 || features.shape[1] != Config.HiddenSize)
        {
            throw new ArgumentException($"{kind} features must have shape [n, {Config.HiddenSize}], got [{string.Join(", ", features.shape)}]");
        }

        hidden.index_copy_(0, positions, features.to(Placement.DType, Placement.Device));
    }

    private Tensor CheckHidden(Tensor? hidden, int total)
    {
        if (hidden is null)
        {
            throw new ArgumentException($"stage {Layers} is not the first stage and needs Hidden from the previous stage");
        }

        if (hidden.dim() != 2 || hidden.shape[0] != total || hidden.shape[1] != Config.HiddenSize)
        {
            throw new ArgumentException($"Hidden must have shape [{total}, {Config.HiddenSize}], got [{string.Join(", ", hidden.shape)}]");
        }

        return hidden.to(Placement.DType, Placement.Device);
    }

    private Tensor CheckPositions(Tensor positions, int total)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.dim() != 2 || positions.shape[0] != 3 || positions.shape[1] != total)
        {
            throw new ArgumentException($"PositionIds must have shape [3, {total}], got [{string.Join(", ", positions.shape)}]");
        }

        return positions.to(ScalarType.Int64, Placement.Device);
    }

    private static long[] LogitRows(IReadOnlyList<long>? requested, List<SegmentPlan> plans, int total)
    {
        if (requested is null)
        {
            return plans.Select(p => (long)(p.Offset + p.NewTokens - 1)).ToArray();
        }

        foreach (long row in requested)
        {
            if (row < 0 || row >= total)
            {
                throw new ArgumentOutOfRangeException(nameof(requested), $"logit row {row} is outside the batch of {total} tokens");
            }
        }

        return requested.ToArray();
    }

    private void LoadWeights(CheckpointIndex index, string checkpointDirectory)
    {
        var parameters = named_parameters().ToList();
        var known = ParameterShapes(Config).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var missing = parameters.Select(p => p.name).Where(n => !index.Contains(n)).ToList();
        var unexpected = index.Names.Where(n => !known.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
        {
            throw new CheckpointMismatchException(checkpointDirectory, missing, unexpected);
        }

        using var reader = new CheckpointReader();
        foreach (var (name, parameter) in parameters)
        {
            reader.ReadInto(index.Entry(name), parameter);
        }
    }
}
