using System.Text.Json;
using Qwen2VL.Tests.Shared;
using Qwen2Tokenizer = Qwen2VL.Processing.Text.Qwen2Tokenizer;

namespace Qwen2VL.Server.Tests.Remote;

/// <summary>Single-turn golden cases: the prompt's text and the greedy answer's tokens, decoded.</summary>
public static class GoldenAnswers
{
    private static readonly Lazy<Qwen2Tokenizer> Tokenizer = new(() => Qwen2Tokenizer.FromCheckpoint(TestPaths.Checkpoint));

    /// <summary>The case's text prompt, its golden greedy answer as text, and how many tokens that is.</summary>
    public static (string Prompt, string Answer, int Tokens) For(string caseName)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Cases, caseName, "case.json")));
        var content = json.RootElement.GetProperty("conversations")[0][0].GetProperty("content");
        string prompt = content.ValueKind == JsonValueKind.String
            ? content.GetString()!
            : string.Concat(content.EnumerateArray().Where(p => p.GetProperty("type").GetString() == "text").Select(p => p.GetProperty("text").GetString()));
        var generated = GoldenTensors.ForCase(caseName)["gen_tokens"];
        int[] tokens = generated.AsInt64().Take((int)generated.Shape[1]).Select(v => (int)v).ToArray();
        return (prompt, Tokenizer.Value.Decode(tokens, skipSpecialTokens: true), tokens.Length);
    }
}
