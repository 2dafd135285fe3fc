using static TorchSharp.torch;

namespace Qwen2VL.Engine;

/// <summary>Vision features encoded during one scheduler step, by tenant and content hash; disposed after the step.</summary>
internal sealed class EncodedVision : IDisposable
{
    private readonly Dictionary<string, Tensor> _features = new(StringComparer.Ordinal);

    public static string Key(string tenantId, string contentHash) => tenantId + "\n" + contentHash;

    public bool Contains(string key) => _features.ContainsKey(key);

    public Tensor? Get(string key) => _features.GetValueOrDefault(key);

    public void Add(string key, Tensor features) => _features[key] = features;

    public void Dispose()
    {
        foreach (var features in _features.Values)
        {
            features.Dispose();
        }

        _features.Clear();
    }
}
