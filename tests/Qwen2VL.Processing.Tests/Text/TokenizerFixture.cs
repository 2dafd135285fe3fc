using System.Text.Json;
using Qwen2VL.Processing.Text;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Processing.Tests.Text;

/// <summary>The checkpoint's tokenizer and the tokenizer goldens, loaded once for all tests.</summary>
public static class TokenizerFixture
{
    private static readonly Lazy<Qwen2Tokenizer> LazyTokenizer = new(() => Qwen2Tokenizer.FromCheckpoint(TestPaths.Checkpoint));
    private static readonly Lazy<JsonDocument> LazyGoldens = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestPaths.Fixtures, "tokenizer_goldens.json"))));

    public static Qwen2Tokenizer Tokenizer => LazyTokenizer.Value;

    public static JsonElement Goldens => LazyGoldens.Value.RootElement;

    public static JsonElement GoldenString(string name) =>
        Goldens.GetProperty("strings").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    public static TheoryData<string> GoldenNames(string section)
    {
        var data = new TheoryData<string>();
        foreach (JsonElement entry in Goldens.GetProperty(section).EnumerateArray())
        {
            data.Add(entry.GetProperty("name").GetString()!);
        }

        return data;
    }

    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
