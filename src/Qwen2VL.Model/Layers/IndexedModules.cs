using TorchSharp;

namespace Qwen2VL.Model.Layers;

/// <summary>
/// A list of modules registered under explicit integer names, so a pipeline stage holding decoder layers [a, b)
/// names them <c>layers.a</c> … <c>layers.(b-1)</c>, exactly as in the checkpoint.
/// </summary>
/// <typeparam name="T">The element module type.</typeparam>
public sealed class IndexedModules<T> : torch.nn.Module
    where T : torch.nn.Module
{
    private readonly List<T> _items = new();

    /// <summary>Registers <paramref name="count"/> modules named <paramref name="firstIndex"/> onwards, built by <paramref name="create"/>.</summary>
    public IndexedModules(int firstIndex, int count, Func<int, T> create)
        : base(nameof(IndexedModules<T>))
    {
        ArgumentNullException.ThrowIfNull(create);
        FirstIndex = firstIndex;
        for (int i = firstIndex; i < firstIndex + count; i++)
        {
            var module = create(i);
            _items.Add(module);
            register_module(i.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        }
    }

    /// <summary>The name (index) of the first module.</summary>
    public int FirstIndex { get; }

    /// <summary>The modules in index order.</summary>
    public IReadOnlyList<T> Items => _items;
}
