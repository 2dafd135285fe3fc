using System.Text.Json;
using Qwen2VL.Processing.Text;

namespace Qwen2VL.Processing.Tests.Text;

/// <summary>Every string of tokenizer_goldens.json: ids, tokens and both decodings exactly as the reference.</summary>
public class Qwen2TokenizerGoldenTests
{
    public static TheoryData<string> Names => TokenizerFixture.GoldenNames("strings");

    private static Qwen2Tokenizer Tokenizer => TokenizerFixture.Tokenizer;

    [Theory]
    [MemberData(nameof(Names))]
    public void Encode_GoldenString_MatchesReferenceIds(string name)
    {
        JsonElement golden = TokenizerFixture.GoldenString(name);
        // The reference splits special tokens out of plain text (split_special_tokens=False).
        int[] ids = Tokenizer.Encode(golden.GetProperty("text").GetString()!, allowSpecialTokens: true);
        Assert.Equal(TokenizerFixture.Ints(golden.GetProperty("ids")), ids);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void IdToToken_GoldenIds_MatchesReferenceTokens(string name)
    {
        JsonElement golden = TokenizerFixture.GoldenString(name);
        if (!golden.TryGetProperty("tokens", out JsonElement tokens))
        {
            return;
        }

        string?[] actual = TokenizerFixture.Ints(golden.GetProperty("ids")).Select(Tokenizer.IdToToken).ToArray();
        Assert.Equal(tokens.EnumerateArray().Select(t => t.GetString()), actual);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Decode_GoldenIds_MatchesReferenceText(string name)
    {
        JsonElement golden = TokenizerFixture.GoldenString(name);
        int[] ids = TokenizerFixture.Ints(golden.GetProperty("ids"));
        Assert.Equal(golden.GetProperty("decode").GetString(), Tokenizer.Decode(ids, skipSpecialTokens: false));
        Assert.Equal(golden.GetProperty("decode_skip_special").GetString(), Tokenizer.Decode(ids, skipSpecialTokens: true));
    }

    [Fact]
    public void SpecialTokens_GoldenTable_MatchesIdsAndProperties()
    {
        foreach (JsonProperty entry in TokenizerFixture.Goldens.GetProperty("special_tokens").EnumerateObject())
        {
            int id = int.Parse(entry.Name, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(id, Tokenizer.TokenToId(entry.Value.GetString()!));
            Assert.True(Tokenizer.IsSpecial(id));
        }

        Assert.Equal(Tokenizer.TokenToId("<|im_start|>"), Tokenizer.ImStartId);
        Assert.Equal(Tokenizer.TokenToId("<|im_end|>"), Tokenizer.ImEndId);
        Assert.Equal(Tokenizer.TokenToId("<|endoftext|>"), Tokenizer.EndOfTextId);
        Assert.Equal(Tokenizer.TokenToId("<|vision_start|>"), Tokenizer.VisionStartId);
        Assert.Equal(Tokenizer.TokenToId("<|vision_end|>"), Tokenizer.VisionEndId);
        Assert.Equal(Tokenizer.TokenToId("<|image_pad|>"), Tokenizer.ImagePadId);
        Assert.Equal(Tokenizer.TokenToId("<|video_pad|>"), Tokenizer.VideoPadId);
        Assert.Equal(Tokenizer.TokenToId(TokenizerFixture.Goldens.GetProperty("pad_token").GetString()!), Tokenizer.PadTokenId);
        Assert.Contains(Tokenizer.TokenToId(TokenizerFixture.Goldens.GetProperty("eos_token").GetString()!)!.Value, Tokenizer.EosTokenIds);
    }
}
