using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Qwen2VL.Server.Tests.Hub;

/// <summary>
/// Writes a sharded copy of a single-file checkpoint: the same tensors split over shard files named the way
/// transformers names them, plus <c>model.safetensors.index.json</c>, and every other file copied.
/// </summary>
public static class ShardedCheckpoint
{
    /// <summary>
    /// Splits <paramref name="source"/>'s model.safetensors into <paramref name="shardCount"/> shards, tensor by
    /// tensor as <paramref name="shardOf"/> says (0-based), into <paramref name="target"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Write(string source, string target, int shardCount, Func<string, int> shardOf)
    {
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(source).Where(file => Path.GetFileName(file) != "model.safetensors"))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        byte[] bytes = File.ReadAllBytes(Path.Combine(source, "model.safetensors"));
        int headerLength = checked((int)BinaryPrimitives.ReadInt64LittleEndian(bytes));
        var header = JsonNode.Parse(bytes.AsSpan(8, headerLength))!.AsObject();
        int dataStart = 8 + headerLength;

        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int shard = 0; shard < shardCount; shard++)
        {
            string name = $"model-{shard + 1:D5}-of-{shardCount:D5}.safetensors";
            var shardHeader = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
            using var data = new MemoryStream();
            foreach (var (tensor, info) in header.Where(entry => entry.Key != "__metadata__" && shardOf(entry.Key) == shard))
            {
                var offsets = info!["data_offsets"]!.AsArray();
                long begin = offsets[0]!.GetValue<long>();
                long end = offsets[1]!.GetValue<long>();
                var copy = info.DeepClone().AsObject();
                copy["data_offsets"] = new JsonArray(data.Length, data.Length + (end - begin));
                data.Write(bytes, dataStart + (int)begin, (int)(end - begin));
                shardHeader[tensor] = copy;
                weightMap[tensor] = name;
            }

            byte[] json = Encoding.UTF8.GetBytes(shardHeader.ToJsonString());
            using var output = File.Create(Path.Combine(target, name));
            byte[] length = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, json.Length);
            output.Write(length);
            output.Write(json);
            data.Position = 0;
            data.CopyTo(output);
        }

        var index = new { metadata = new { total_size = bytes.Length - dataStart }, weight_map = weightMap };
        File.WriteAllText(Path.Combine(target, "model.safetensors.index.json"), JsonSerializer.Serialize(index));
        return weightMap;
    }
}
