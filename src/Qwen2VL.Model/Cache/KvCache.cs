using Qwen2VL.Model.Stages;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Cache;

/// <summary>
/// The key/value cache of one sequence for the decoder layers of one stage, owned by the caller. Each layer has
/// preallocated K and V buffers [kv_heads, capacity, head_dim]; new tokens are written in place (narrow + copy_, far
/// cheaper per step than concatenation). The buffers grow (doubling, up to <see cref="MaxCapacity"/>) when a forward
/// needs more room; <see cref="Truncate"/> rolls back or keeps a shared prefix.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;
    private readonly ModelPlacement _placement;
    private bool _disposed;

    /// <summary>Allocates buffers for <paramref name="initialCapacity"/> tokens.</summary>
    /// <param name="layers">The stage's decoder layers.</param>
    /// <param name="kvHeads">Key/value heads per layer.</param>
    /// <param name="headDim">Width of one head.</param>
    /// <param name="initialCapacity">Tokens to allocate room for now.</param>
    /// <param name="maxCapacity">The most tokens the cache may grow to.</param>
    /// <param name="placement">Dtype and device of the buffers (the model's).</param>
    public KvCache(LayerRange layers, int kvHeads, int headDim, int initialCapacity, int maxCapacity, ModelPlacement placement)
    {
        ArgumentNullException.ThrowIfNull(placement);
        if (initialCapacity < 0 || maxCapacity < 1 || initialCapacity > maxCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(initialCapacity), $"need 0 <= initial capacity ({initialCapacity}) <= max capacity ({maxCapacity}) and max capacity >= 1");
        }

        Layers = layers;
        KvHeads = kvHeads;
        HeadDim = headDim;
        MaxCapacity = maxCapacity;
        _placement = placement;
        _keys = new Tensor[layers.Count];
        _values = new Tensor[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            _keys[i] = NewBuffer(initialCapacity);
            _values[i] = NewBuffer(initialCapacity);
        }

        Capacity = initialCapacity;
    }

    /// <summary>The decoder layers this cache serves.</summary>
    public LayerRange Layers { get; }

    /// <summary>Key/value heads per layer.</summary>
    public int KvHeads { get; }

    /// <summary>Width of one head.</summary>
    public int HeadDim { get; }

    /// <summary>Tokens whose keys and values are held.</summary>
    public int Length { get; private set; }

    /// <summary>Tokens the buffers hold room for now.</summary>
    public int Capacity { get; private set; }

    /// <summary>The most tokens the cache may grow to.</summary>
    public int MaxCapacity { get; }

    /// <summary>Bytes held by the buffers.</summary>
    public long AllocatedBytes => 2L * Layers.Count * KvHeads * Capacity * HeadDim * _placement.ElementSize;

    /// <summary>Forgets every token from <paramref name="length"/> on (roll back, or keep a prefix for reuse).</summary>
    public void Truncate(int length)
    {
        ThrowIfDisposed();
        if (length < 0 || length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"cannot truncate a KV cache of {Length} tokens to {length}");
        }

        Length = length;
    }

    /// <summary>Makes room for <paramref name="tokens"/> tokens, keeping the held ones; throws <see cref="KvCacheFullException"/> past <see cref="MaxCapacity"/>.</summary>
    public void EnsureCapacity(int tokens)
    {
        ThrowIfDisposed();
        if (tokens <= Capacity)
        {
            return;
        }

        if (tokens > MaxCapacity)
        {
            throw new KvCacheFullException(tokens, MaxCapacity);
        }

        int newCapacity = (int)Math.Min(MaxCapacity, Math.Max(tokens, 2L * Capacity));
        using var noGrad = no_grad();
        for (int i = 0; i < _keys.Length; i++)
        {
            _keys[i] = Grow(_keys[i], newCapacity);
            _values[i] = Grow(_values[i], newCapacity);
        }

        Capacity = newCapacity;
    }

    /// <summary>Writes keys and values [n, kv_heads, head_dim] of <paramref name="layer"/> at positions [start, start + n).</summary>
    internal void Write(int layer, int start, Tensor keys, Tensor values)
    {
        int n = (int)keys.shape[0];
        if (start + n > Capacity)
        {
            throw new InvalidOperationException($"KV cache write of {n} tokens at {start} exceeds capacity {Capacity}; call EnsureCapacity first");
        }

        int slot = Slot(layer);
        _keys[slot].narrow(1, start, n).copy_(keys.transpose(0, 1));
        _values[slot].narrow(1, start, n).copy_(values.transpose(0, 1));
    }

    /// <summary>Views [kv_heads, length, head_dim] of the first <paramref name="length"/> positions of <paramref name="layer"/>.</summary>
    internal (Tensor Keys, Tensor Values) Read(int layer, int length)
    {
        int slot = Slot(layer);
        return (_keys[slot].narrow(1, 0, length), _values[slot].narrow(1, 0, length));
    }

    /// <summary>
    /// The whole K and V buffers [kv_heads, <see cref="Capacity"/>, head_dim] of <paramref name="layer"/>, owned by
    /// the cache (do not dispose; valid until the next <see cref="EnsureCapacity"/>), for kernels that read the cache
    /// in place.
    /// </summary>
    internal (Tensor Keys, Tensor Values) Buffers(int layer)
    {
        int slot = Slot(layer);
        return (_keys[slot], _values[slot]);
    }

    /// <summary>Records that positions [0, <paramref name="length"/>) now hold valid keys and values in every layer.</summary>
    internal void Commit(int length)
    {
        if (length > Capacity)
        {
            throw new InvalidOperationException($"cannot commit {length} tokens to a KV cache of capacity {Capacity}");
        }

        Length = length;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var t in _keys.Concat(_values))
        {
            t.Dispose();
        }
    }

    private int Slot(int layer)
    {
        ThrowIfDisposed();
        if (!Layers.Contains(layer))
        {
            throw new ArgumentOutOfRangeException(nameof(layer), $"layer {layer} is outside this KV cache's layers {Layers}");
        }

        return layer - Layers.Start;
    }

    // Buffers outlive any forward pass, so they never belong to a dispose scope.
    private Tensor NewBuffer(int capacity) =>
        zeros(new long[] { KvHeads, capacity, HeadDim }, _placement.DType, _placement.Device).DetachFromDisposeScope();

    private Tensor Grow(Tensor old, int capacity)
    {
        var grown = NewBuffer(capacity);
        if (Length > 0)
        {
            grown.narrow(1, 0, Length).copy_(old.narrow(1, 0, Length));
        }

        old.Dispose();
        return grown;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
