using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Qwen2VL.Model.Config;
using Qwen2VL.Model.Stages;

namespace Qwen2VL.Cli.Bench.Checkpoint;

/// <summary>
/// A Hugging Face style checkpoint folder (config.json + model.safetensors) with random bfloat16 weights for a given
/// config, written once into a temporary folder keyed by the hash of the config text, so later runs reuse it. The
/// benchmark then loads it through the normal strict loader, exactly like a downloaded checkpoint.
/// </summary>
internal static class RandomCheckpoint
{
    // Bump when the weight pattern or the file layout changes, so stale cached checkpoints are not reused.
    private const string FormatVersion = "1";

    /// <summary>Returns the folder of the checkpoint for <paramref name="configJson"/>, writing it first if needed.</summary>
    public static string Ensure(string configJson, string? cacheRoot, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(configJson);
        var config = Qwen2VLConfig.Parse(configJson);
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(FormatVersion + "\n" + configJson)))[..16].ToLowerInvariant();
        string root = cacheRoot ?? Path.Combine(Path.GetTempPath(), "qwen2vl-bench");
        string folder = Path.Combine(root, key);
        string weights = Path.Combine(folder, "model.safetensors");
        if (File.Exists(weights) && File.Exists(Path.Combine(folder, "config.json")))
        {
            return folder;
        }

        Directory.CreateDirectory(folder);
        log($"writing a random bf16 checkpoint to {folder} (once; later runs reuse it)");
        var tensors = Qwen2VLStage.ParameterShapes(config);
        // Write to a temporary name and rename, so an interrupted run never leaves a truncated file that looks complete.
        string partial = weights + ".partial-" + Environment.ProcessId;
        try
        {
            SafeTensorsWriter.Write(partial, tensors, new WeightPattern());
            File.WriteAllText(Path.Combine(folder, "config.json"), configJson);
            File.Move(partial, weights, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }

        return folder;
    }

    /// <summary>Bytes of every tensor in the checkpoint's data section.</summary>
    public static long WeightBytes(string folder)
    {
        using var stream = File.OpenRead(Path.Combine(folder, "model.safetensors"));
        Span<byte> length = stackalloc byte[8];
        stream.ReadExactly(length);
        return stream.Length - 8 - BitConverter.ToInt64(length);
    }

    /// <summary>The config text of the released Qwen2-VL-2B-Instruct checkpoint (embedded).</summary>
    public static string Qwen2VL2BConfig()
    {
        using var stream = typeof(RandomCheckpoint).Assembly.GetManifestResourceStream("Qwen2-VL-2B-Instruct.config.json")
            ?? throw new InvalidOperationException("the embedded 2B config is missing from this build");
        using var reader = new StreamReader(stream);
        string text = reader.ReadToEnd();
        // Validate early so a broken resource fails here, not halfway through a run.
        using var _ = JsonDocument.Parse(text);
        return text;
    }
}
