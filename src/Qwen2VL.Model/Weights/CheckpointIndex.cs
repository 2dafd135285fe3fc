using System.Text.Json;

namespace Qwen2VL.Model.Weights;

/// <summary>
/// Every tensor of a Hugging Face checkpoint folder: a single <c>model.safetensors</c>, or shards listed by
/// <c>model.safetensors.index.json</c>. Only the headers of the shards that hold requested tensors are read.
/// </summary>
public sealed class CheckpointIndex
{
    /// <summary>Name of the single-file checkpoint.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>Name of the shard index.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly string _directory;
    private readonly Dictionary<string, string> _fileOf;
    private readonly Dictionary<string, IReadOnlyDictionary<string, SafeTensorEntry>> _headers = new(StringComparer.Ordinal);

    private CheckpointIndex(string directory, Dictionary<string, string> fileOf)
    {
        _directory = directory;
        _fileOf = fileOf;
    }

    /// <summary>All tensor names in the checkpoint.</summary>
    public IReadOnlyCollection<string> Names => _fileOf.Keys;

    /// <summary>Opens the checkpoint in <paramref name="directory"/>, preferring the shard index when both layouts exist.</summary>
    public static CheckpointIndex Open(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string indexPath = Path.Combine(directory, IndexFileName);
        if (File.Exists(indexPath))
        {
            return FromIndexFile(directory, indexPath);
        }

        string single = Path.Combine(directory, SingleFileName);
        if (File.Exists(single))
        {
            var index = new CheckpointIndex(directory, new Dictionary<string, string>(StringComparer.Ordinal));
            var header = SafeTensorsHeader.Read(single);
            index._headers[SingleFileName] = header;
            foreach (var name in header.Keys)
            {
                index._fileOf[name] = SingleFileName;
            }

            return index;
        }

        throw new FileNotFoundException($"no {SingleFileName} or {IndexFileName} in {directory}");
    }

    /// <summary>Whether the checkpoint has a tensor named <paramref name="name"/>.</summary>
    public bool Contains(string name) => _fileOf.ContainsKey(name);

    /// <summary>Locates tensor <paramref name="name"/>, reading its shard's header on first use.</summary>
    public SafeTensorEntry Entry(string name)
    {
        if (!_fileOf.TryGetValue(name, out var file))
        {
            throw new KeyNotFoundException($"tensor '{name}' is not in the checkpoint at {_directory}");
        }

        if (!_headers.TryGetValue(file, out var header))
        {
            string path = Path.Combine(_directory, file);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"shard {file} listed in {IndexFileName} for '{name}' does not exist", path);
            }

            header = SafeTensorsHeader.Read(path);
            _headers[file] = header;
        }

        return header.TryGetValue(name, out var entry)
            ? entry
            : throw new InvalidDataException($"{IndexFileName} places '{name}' in {file}, but that shard has no such tensor");
    }

    private static CheckpointIndex FromIndexFile(string directory, string indexPath)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(indexPath));
        if (!json.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{indexPath} has no weight_map object");
        }

        var fileOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in map.EnumerateObject())
        {
            string file = property.Value.GetString() ?? "";
            if (file.Length == 0 || Path.GetFileName(file) != file)
            {
                throw new InvalidDataException($"{indexPath}: '{property.Name}' maps to an invalid shard name '{file}'");
            }

            fileOf[property.Name] = file;
        }

        return new CheckpointIndex(directory, fileOf);
    }
}
