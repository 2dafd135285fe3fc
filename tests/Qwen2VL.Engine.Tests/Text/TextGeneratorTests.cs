using System.Text;
using System.Text.Json;
using Qwen2VL.Engine.Tests.Support;
using Qwen2VL.Engine.Text;
using Qwen2VL.Model.Sampling;
using Qwen2VL.Processing.Prompt;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Engine.Tests.Text;

[Collection(TinyModelCollection.Name)]
public sealed class TextGeneratorTests
{
    private static readonly Lazy<PromptBuilder> Prompts = new(() => PromptBuilder.FromCheckpoint(TestPaths.Checkpoint));
    private readonly TinyModel _model;

    public TextGeneratorTests(TinyModel model) => _model = model;

    [Fact]
    public async Task Generate_GoldenTextConversation_StreamsTheDecodedGoldenTokens()
    {
        var (messages, expected) = TextCase();
        await using var engine = _model.Engine();
        var generator = new TextGenerator(engine, Prompts.Value);

        var (text, finished, started) = await RunAsync(generator, messages, expected.Length, Array.Empty<string>());

        Assert.Equal(Prompts.Value.Tokenizer.Decode(expected, skipSpecialTokens: true), text);
        Assert.Equal("length", finished.Reason);
        Assert.Equal(expected.Length, finished.CompletionTokens);
        Assert.True(started.PromptTokens > 0);
    }

    [Fact]
    public async Task Generate_StopString_EndsBeforeItAndFreesTheSequence()
    {
        var (messages, expected) = TextCase();
        string full = Prompts.Value.Tokenizer.Decode(expected, skipSpecialTokens: true);
        // A stop string from the middle of the golden answer.
        int cut = full.Length / 2;
        string stop = full.Substring(cut, Math.Min(3, full.Length - cut));
        int first = full.IndexOf(stop, StringComparison.Ordinal);
        await using var engine = _model.Engine();
        var generator = new TextGenerator(engine, Prompts.Value);

        var (text, finished, _) = await RunAsync(generator, messages, expected.Length, new[] { stop });

        Assert.Equal(full[..first], text);
        Assert.Equal("stop", finished.Reason);
        Assert.Equal(stop, finished.StopString);
        await WaitIdleAsync(engine);
    }

    private static async Task<(string Text, TextFinished Finished, TextStarted Started)> RunAsync(TextGenerator generator, IReadOnlyList<PromptMessage> messages, int maxTokens, IReadOnlyList<string> stops)
    {
        var text = new StringBuilder();
        TextFinished? finished = null;
        TextStarted? started = null;
        await foreach (var item in generator.GenerateAsync(new TextGenerationRequest
        {
            TenantId = "t",
            SequenceKey = "t/s",
            Messages = messages,
            Sampling = new SamplingParameters(temperature: 0, maxNewTokens: maxTokens, ignoreEos: true),
            StopStrings = stops,
        }))
        {
            switch (item)
            {
                case TextStarted s:
                    started = s;
                    break;
                case TextDelta d:
                    text.Append(d.Text);
                    break;
                case TextFinished f:
                    finished = f;
                    break;
            }
        }

        return (text.ToString(), finished!, started!);
    }

    /// <summary>The first text-only golden case: its conversation and greedy tokens.</summary>
    private static (IReadOnlyList<PromptMessage> Messages, int[] Tokens) TextCase()
    {
        foreach (var dir in Directory.GetDirectories(TestPaths.Cases).Order(StringComparer.Ordinal))
        {
            string file = Path.Combine(dir, "case.json");
            if (!File.Exists(file))
            {
                continue;
            }

            using var json = JsonDocument.Parse(File.ReadAllText(file));
            if (!json.RootElement.TryGetProperty("conversations", out var conversations) || conversations.GetArrayLength() != 1
                || json.RootElement.GetProperty("images").GetArrayLength() > 0 || json.RootElement.GetProperty("videos").GetArrayLength() > 0)
            {
                continue;
            }

            var messages = conversations[0].EnumerateArray().Select(m => PromptMessage.Text(m.GetProperty("role").GetString()!,
                m.GetProperty("content").ValueKind == JsonValueKind.String
                    ? m.GetProperty("content").GetString()!
                    : string.Concat(m.GetProperty("content").EnumerateArray().Select(p => p.GetProperty("text").GetString())))).ToList();
            var gen = GoldenTensors.ForCase(Path.GetFileName(dir))["gen_tokens"];
            return (messages, gen.AsInt64().Take((int)gen.Shape[1]).Select(v => (int)v).ToArray());
        }

        throw new InvalidOperationException("no text-only golden case found");
    }

    private static async Task WaitIdleAsync(InferenceEngine engine)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (engine.Snapshot() is not { Running: 0, KvReservedTokens: 0 })
        {
            Assert.True(DateTime.UtcNow < deadline, "the engine did not free the stopped sequence");
            await Task.Delay(10);
        }
    }
}
