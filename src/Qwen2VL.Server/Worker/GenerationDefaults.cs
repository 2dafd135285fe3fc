using System.Text.Json;

namespace Qwen2VL.Server.Worker;

/// <summary>
/// Sampling defaults from the checkpoint's <c>generation_config.json</c>, used for what a request leaves unset
/// (as vLLM does). Qwen2-VL-Instruct ships <c>top_k: 1</c>, so its default is effectively greedy.
/// </summary>
public sealed record GenerationDefaults(double Temperature, double TopP, int TopK, double RepetitionPenalty, IReadOnlyList<int> EosTokenIds)
{
    public static GenerationDefaults Load(string checkpointFolder, IReadOnlyList<int> tokenizerEos)
    {
        string path = Path.Combine(checkpointFolder, "generation_config.json");
        if (!File.Exists(path))
        {
            return new GenerationDefaults(1.0, 1.0, 0, 1.0, tokenizerEos);
        }

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        bool sample = root.TryGetProperty("do_sample", out var doSample) && doSample.ValueKind == JsonValueKind.True;
        double temperature = sample ? Number(root, "temperature", 1.0) : 0.0;
        var eos = root.TryGetProperty("eos_token_id", out var e)
            ? (e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(x => x.GetInt32()).ToArray() : new[] { e.GetInt32() })
            : tokenizerEos.ToArray();
        return new GenerationDefaults(temperature, Number(root, "top_p", 1.0), (int)Number(root, "top_k", 0), Number(root, "repetition_penalty", 1.0), eos);
    }

    private static double Number(JsonElement root, string name, double fallback) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : fallback;
}
