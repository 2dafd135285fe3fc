using System.Text.Json;
using Qwen2VL.Processing.Text;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Processing.Tests.Text;

/// <summary>
/// Every model case: its conversation renders to the stored prompt text, and the tokenized prompt agrees with the
/// stored input_ids (which have the image/video pads already expanded, and left padding in the batch case).
/// </summary>
public class ModelCasePromptTests
{
    private static readonly Lazy<ChatTemplate> LazyTemplate = new(() => ChatTemplate.FromCheckpoint(TestPaths.Checkpoint));

    public static TheoryData<string> CasesWithConversations()
    {
        var data = new TheoryData<string>();
        foreach (string dir in Directory.GetDirectories(TestPaths.Cases).Order(StringComparer.Ordinal))
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "case.json")));
            if (doc.RootElement.TryGetProperty("conversations", out _) || doc.RootElement.TryGetProperty("turn1_conversation", out _))
            {
                data.Add(Path.GetFileName(dir));
            }
        }

        return data;
    }

    private static Qwen2Tokenizer Tokenizer => TokenizerFixture.Tokenizer;

    [Theory]
    [MemberData(nameof(CasesWithConversations))]
    public void Render_CaseConversation_MatchesPromptText(string caseName)
    {
        using JsonDocument doc = ReadCase(caseName);
        foreach ((JsonElement conversation, string expected) in Prompts(doc.RootElement))
        {
            Assert.Equal(expected, Render(conversation));
        }
    }

    [Theory]
    [MemberData(nameof(CasesWithConversations))]
    public void Encode_ExpandedPromptText_MatchesInputIds(string caseName)
    {
        using JsonDocument doc = ReadCase(caseName);
        JsonElement root = doc.RootElement;
        GoldenTensors tensors = GoldenTensors.ForCase(caseName);
        string idsName = tensors.Contains("input_ids") ? "input_ids" : "turn1_input_ids";
        GoldenTensor inputIds = tensors[idsName];
        long length = inputIds.Shape[1];
        long[] all = inputIds.AsInt64();
        long[] mask = tensors[idsName.Replace("input_ids", "attention_mask", StringComparison.Ordinal)].AsInt64();
        string[] expandedTexts = root.TryGetProperty("prompt_texts_after_processor_expansion", out JsonElement expanded)
            ? expanded.EnumerateArray().Select(e => e.GetString()!).ToArray()
            : [ExpandPads(root.GetProperty("turn1_prompt_text").GetString()!, all)];

        for (int row = 0; row < expandedTexts.Length; row++)
        {
            long[] rowIds = all.Skip((int)(row * length)).Take((int)length).ToArray();
            long[] rowMask = mask.Skip((int)(row * length)).Take((int)length).ToArray();
            // Left padding: keep the positions the attention mask covers.
            long[] real = rowIds.Where((_, i) => rowMask[i] == 1).ToArray();
            int[] encoded = Tokenizer.Encode(expandedTexts[row], allowSpecialTokens: true);
            Assert.Equal(real, encoded.Select(i => (long)i));
            Assert.All(rowIds.Where((_, i) => rowMask[i] == 0), pad => Assert.Equal(Tokenizer.PadTokenId, pad));
        }
    }

    [Theory]
    [MemberData(nameof(CasesWithConversations))]
    public void Encode_UnexpandedPromptText_MatchesInputIdsWithPadRunsCollapsed(string caseName)
    {
        using JsonDocument doc = ReadCase(caseName);
        GoldenTensors tensors = GoldenTensors.ForCase(caseName);
        string idsName = tensors.Contains("input_ids") ? "input_ids" : "turn1_input_ids";
        GoldenTensor inputIds = tensors[idsName];
        long length = inputIds.Shape[1];
        long[] all = inputIds.AsInt64();
        long[] mask = tensors[idsName.Replace("input_ids", "attention_mask", StringComparison.Ordinal)].AsInt64();
        int row = 0;
        foreach ((_, string prompt) in Prompts(doc.RootElement).Take((int)inputIds.Shape[0]))
        {
            long[] real = all.Skip((int)(row * length)).Take((int)length).Where((_, i) => mask[(row * length) + i] == 1).ToArray();
            Assert.Equal(CollapsePads(real), Tokenizer.Encode(prompt, allowSpecialTokens: true).Select(i => (long)i));
            row++;
        }
    }

    [Fact]
    public void Decode_MultiTurnAnswer_MatchesTurnTwoRendering()
    {
        using JsonDocument doc = ReadCase("e_multi_turn");
        JsonElement root = doc.RootElement;
        int[] answer = root.GetProperty("turn1_generation").GetProperty("gen_tokens")[0].EnumerateArray().Select(e => e.GetInt32()).ToArray();
        string turn1 = root.GetProperty("turn1_prompt_text").GetString()!;
        string suffix = root.GetProperty("turn2_suffix_text").GetString()!;
        string rendering = root.GetProperty("turn2_chat_template_rendering").GetString()!;
        Assert.Equal(rendering, turn1 + Tokenizer.Decode(answer) + suffix);

        GoldenTensors tensors = GoldenTensors.ForCase("e_multi_turn");
        long[] suffixIds = tensors["turn2_suffix_input_ids"].AsInt64();
        Assert.Equal(CollapsePads(suffixIds), Tokenizer.Encode(suffix, allowSpecialTokens: true).Select(i => (long)i));
        // The reference re-tokenizes the whole turn-2 rendering to the concatenated ids (recorded in case.json).
        Assert.True(root.GetProperty("turn2_chat_template_ids_equal_concatenation").GetBoolean());
        Assert.Equal(CollapsePads(tensors["turn2_input_ids"].AsInt64()), Tokenizer.Encode(rendering, allowSpecialTokens: true).Select(i => (long)i));
    }

    private static JsonDocument ReadCase(string caseName) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestPaths.Cases, caseName, "case.json")));

    private static IEnumerable<(JsonElement Conversation, string Prompt)> Prompts(JsonElement root)
    {
        if (root.TryGetProperty("conversations", out JsonElement conversations))
        {
            string[] texts = root.GetProperty("prompt_texts").EnumerateArray().Select(e => e.GetString()!).ToArray();
            int i = 0;
            foreach (JsonElement conversation in conversations.EnumerateArray())
            {
                yield return (conversation, texts[i++]);
            }
        }
        else
        {
            yield return (root.GetProperty("turn1_conversation"), root.GetProperty("turn1_prompt_text").GetString()!);
        }
    }

    private static string Render(JsonElement conversation) =>
        LazyTemplate.Value.Render(conversation.EnumerateArray().Select(ChatMessage.FromJson).ToList());

    private long[] CollapsePads(long[] ids) => ids
        .Where((id, i) => !(i > 0 && id == ids[i - 1] && (id == Tokenizer.ImagePadId || id == Tokenizer.VideoPadId)))
        .ToArray();

    // The case without a stored expanded text (turn 1 of e): expand each pad run to the length the ids show.
    private static string ExpandPads(string prompt, long[] ids)
    {
        int imagePad = Tokenizer.ImagePadId;
        var runs = new Queue<int>();
        for (int i = 0; i < ids.Length; i++)
        {
            if (ids[i] == imagePad && (i == 0 || ids[i - 1] != imagePad))
            {
                int run = 0;
                while (i + run < ids.Length && ids[i + run] == imagePad)
                {
                    run++;
                }

                runs.Enqueue(run);
            }
        }

        const string pad = "<|image_pad|>";
        var parts = prompt.Split(pad);
        return string.Concat(parts.Select((p, i) => i == 0 ? p : string.Concat(Enumerable.Repeat(pad, runs.Dequeue())) + p));
    }
}
