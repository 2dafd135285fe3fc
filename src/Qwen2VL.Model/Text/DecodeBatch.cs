using static TorchSharp.torch;

namespace Qwen2VL.Model.Text;

/// <summary>
/// A step in which every one of several sequences brings exactly one new token (pure batched decoding). Attention then
/// runs as one call over the sequences' caches gathered into a padded [B, kv_heads, longest, head_dim] buffer with a
/// key-padding mask, instead of one call (plus its reshapes) per sequence. Built once per forward and shared by all
/// layers, buffers included: each layer overwrites the same valid positions, so the padding is zeroed only once.
/// </summary>
internal sealed class DecodeBatch : IDisposable
{
    /// <summary>Most padded key positions (sequences × longest cache) gathered per layer: bounds the two gather buffers.</summary>
    public const int MaxPaddedTokens = 32768;

    /// <summary>
    /// Keys one attention call is worth: each sequence's own call costs about as much as attending to this many keys
    /// more (measured on the 2B model), so the batched call may pad this many keys per sequence it saves a call for.
    /// </summary>
    private const int CallCostInKeys = 256;

    private DecodeBatch(int longest, Tensor mask, Tensor keys, Tensor values)
    {
        Longest = longest;
        Mask = mask;
        Keys = keys;
        Values = values;
    }

    /// <summary>Keys of the longest sequence, new token included: the padded length.</summary>
    public int Longest { get; }

    /// <summary>Boolean mask [B, 1, 1, longest]: true where the key belongs to the sequence.</summary>
    public Tensor Mask { get; }

    /// <summary>The gathered keys [B, kv_heads, longest, head_dim] of the current layer; zero past each sequence's length.</summary>
    public Tensor Keys { get; }

    /// <summary>The gathered values, laid out as <see cref="Keys"/>.</summary>
    public Tensor Values { get; }

    /// <summary>
    /// The batched plan for <paramref name="segments"/>, or null when the step is not a pure decode step of several
    /// sequences, or when padding every cache to the longest would cost more than the separate calls it saves.
    /// </summary>
    public static DecodeBatch? TryCreate(IReadOnlyList<SegmentPlan> segments, int kvHeads, int headDim, ModelPlacement placement)
    {
        if (!DecoderAttention.BatchDecodeSteps || segments.Count < 2 || segments.Any(s => s.NewTokens != 1))
        {
            return null;
        }

        int longest = segments.Max(s => s.TotalTokens);
        long padded = (long)segments.Count * longest;
        long actual = segments.Sum(s => (long)s.TotalTokens);
        // One long sequence among short ones makes every row attend over its length: then separate calls are cheaper.
        if (padded > MaxPaddedTokens || padded > actual + (actual / 4) + ((segments.Count - 1L) * CallCostInKeys))
        {
            return null;
        }

        var device = placement.Device;
        using var lengths = tensor(segments.Select(s => (long)s.TotalTokens).ToArray(), device: device).unsqueeze(1);
        using var keyIndex = arange(longest, dtype: ScalarType.Int64, device: device).unsqueeze(0);
        using var valid = keyIndex.lt(lengths);
        var mask = valid.view(segments.Count, 1, 1, longest).DetachFromDisposeScope();
        // Zeros, not empty: a masked key still enters q·k before the mask is applied, and garbage could be NaN.
        var shape = new long[] { segments.Count, kvHeads, longest, headDim };
        var keys = zeros(shape, placement.DType, device).DetachFromDisposeScope();
        var values = zeros(shape, placement.DType, device).DetachFromDisposeScope();
        return new DecodeBatch(longest, mask, keys, values);
    }

    public void Dispose()
    {
        Mask.Dispose();
        Keys.Dispose();
        Values.Dispose();
    }
}
