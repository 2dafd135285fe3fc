using System.Text;
using Microsoft.ML.Tokenizers;

namespace Qwen2VL.Processing.Text;

/// <summary>
/// Qwen2's byte-level BPE tokenizer, as Hugging Face's <c>Qwen2TokenizerFast</c> runs it: added tokens are split out
/// first, the rest is NFC-normalised, cut by Qwen2's pre-tokenizer and encoded with byte-level BPE. Thread-safe.
/// </summary>
public sealed class Qwen2Tokenizer
{
    private readonly BpeTokenizer _bpe;
    private readonly AddedTokenMatcher _allAddedTokens;
    private readonly AddedTokenMatcher _plainAddedTokens;
    private readonly Dictionary<int, AddedToken> _addedById;
    private readonly Dictionary<string, int> _addedByContent;
    private readonly Dictionary<string, int> _vocabulary;
    // Bytes each id stands for (null: no such id), so decoding is a table lookup per id.
    private readonly byte[]?[] _bytesById;
    private readonly string?[] _tokenById;

    private Qwen2Tokenizer(TokenizerFiles files)
    {
        _vocabulary = files.Vocabulary;
        _addedById = files.AddedTokens.ToDictionary(t => t.Id);
        _addedByContent = files.AddedTokens.GroupBy(t => t.Content, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
        _allAddedTokens = new AddedTokenMatcher(files.AddedTokens);
        _plainAddedTokens = new AddedTokenMatcher(files.AddedTokens.Where(t => !t.IsSpecial));
        _bpe = BpeTokenizer.Create(new BpeOptions(files.Vocabulary)
        {
            Merges = files.Merges,
            ByteLevel = true,
            PreTokenizer = Qwen2PreTokenizer.Instance,
        });

        VocabularySize = Math.Max(
            files.Vocabulary.Count == 0 ? 0 : files.Vocabulary.Values.Max() + 1,
            files.AddedTokens.Count == 0 ? 0 : files.AddedTokens.Max(t => t.Id) + 1);
        _bytesById = new byte[]?[VocabularySize];
        _tokenById = new string?[VocabularySize];
        foreach ((string token, int id) in files.Vocabulary)
        {
            _tokenById[id] = token;
            _bytesById[id] = ByteLevelAlphabet.TryDecode(token, out byte[] bytes) ? bytes : Encoding.UTF8.GetBytes(token);
        }

        foreach (AddedToken token in files.AddedTokens)
        {
            _tokenById[token.Id] = token.Content;
            // The reference decoder maps an added token's characters through the byte alphabet when they all belong
            // to it, and otherwise emits the token's own UTF-8.
            _bytesById[token.Id] = ByteLevelAlphabet.TryDecode(token.Content, out byte[] bytes)
                ? bytes
                : Encoding.UTF8.GetBytes(token.Content);
        }

        ImStartId = RequireId("<|im_start|>");
        ImEndId = RequireId("<|im_end|>");
        EndOfTextId = RequireId("<|endoftext|>");
        VisionStartId = RequireId("<|vision_start|>");
        VisionEndId = RequireId("<|vision_end|>");
        ImagePadId = RequireId("<|image_pad|>");
        VideoPadId = RequireId("<|video_pad|>");
        PadTokenId = files.PadToken is { } pad && TokenToId(pad) is int padId ? padId : EndOfTextId;

        var eos = new List<int>(files.GenerationEosIds);
        if (files.EosToken is { } eosToken && TokenToId(eosToken) is int eosId && !eos.Contains(eosId))
        {
            eos.Add(eosId);
        }

        EosTokenIds = eos.Count > 0 ? eos : [ImEndId, EndOfTextId];
    }

    /// <summary>One more than the largest id the tokenizer knows (vocabulary plus added tokens).</summary>
    /// <remarks>The model's embedding table is usually larger; ids in between decode to nothing.</remarks>
    public int VocabularySize { get; }

    /// <summary>Every added token (control tokens such as <c>&lt;|im_start|&gt;</c> and plain additions).</summary>
    public IReadOnlyCollection<AddedToken> AddedTokens => _addedById.Values;

    /// <summary>Id of <c>&lt;|im_start|&gt;</c>, which opens a chat turn.</summary>
    public int ImStartId { get; }

    /// <summary>Id of <c>&lt;|im_end|&gt;</c>, which closes a chat turn (the instruct models' end of answer).</summary>
    public int ImEndId { get; }

    /// <summary>Id of <c>&lt;|endoftext|&gt;</c>, the end-of-document token, also used for padding.</summary>
    public int EndOfTextId { get; }

    /// <summary>Id of <c>&lt;|vision_start|&gt;</c>, before an image's or video's pad tokens.</summary>
    public int VisionStartId { get; }

    /// <summary>Id of <c>&lt;|vision_end|&gt;</c>, after an image's or video's pad tokens.</summary>
    public int VisionEndId { get; }

    /// <summary>Id of <c>&lt;|image_pad|&gt;</c>, the placeholder the vision embeddings of an image replace.</summary>
    public int ImagePadId { get; }

    /// <summary>Id of <c>&lt;|video_pad|&gt;</c>, the placeholder the vision embeddings of a video replace.</summary>
    public int VideoPadId { get; }

    /// <summary>The padding id (the config's <c>pad_token</c>, else <c>&lt;|endoftext|&gt;</c>).</summary>
    public int PadTokenId { get; }

    /// <summary>
    /// Ids that end generation: <c>generation_config.json</c>'s <c>eos_token_id</c> plus the tokenizer's
    /// <c>eos_token</c> (for Qwen2-VL-Instruct: <c>&lt;|im_end|&gt;</c>, <c>&lt;|endoftext|&gt;</c>).
    /// </summary>
    public IReadOnlyList<int> EosTokenIds { get; }

    /// <summary>
    /// Loads the tokenizer of a Hugging Face checkpoint folder: <c>tokenizer.json</c>, or else <c>vocab.json</c> +
    /// <c>merges.txt</c> with added tokens from <c>tokenizer_config.json</c>; EOS ids also from
    /// <c>generation_config.json</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder has no tokenizer files.</exception>
    /// <exception cref="InvalidDataException">The files are not a Qwen2 tokenizer (e.g. a control token is missing).</exception>
    public static Qwen2Tokenizer FromCheckpoint(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        return new Qwen2Tokenizer(TokenizerFiles.Load(folder));
    }

    /// <summary>Encodes text to ids. No tokens are added around it.</summary>
    /// <param name="text">The text.</param>
    /// <param name="allowSpecialTokens">
    /// Whether the text may contain control tokens. With <c>false</c> (the default, for anything a user wrote) the
    /// text of a special token such as <c>&lt;|im_start|&gt;</c> or <c>&lt;|image_pad|&gt;</c> is tokenized as plain
    /// text, so a user cannot open a chat turn or fake an image slot; added tokens that are not special are still
    /// matched. With <c>true</c> (for text the server rendered itself, such as a chat template's output) every added
    /// token is matched, as the reference tokenizer does by default.
    /// </param>
    public int[] Encode(string text, bool allowSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        AddedTokenMatcher matcher = allowSpecialTokens ? _allAddedTokens : _plainAddedTokens;
        var ids = new List<int>(text.Length / 3 + 4);
        foreach (TextSegment segment in matcher.Split(text))
        {
            if (segment.Token is { } token)
            {
                ids.Add(token.Id);
                continue;
            }

            string normalized = NfcNormalizer.Normalize(ReplaceLoneSurrogates(text.Substring(segment.Offset, segment.Length)));
            ids.AddRange(_bpe.EncodeToIds(normalized, considerPreTokenization: true, considerNormalization: false));
        }

        return [.. ids];
    }

    /// <summary>
    /// Decodes ids to text. Byte sequences that are not valid UTF-8 become U+FFFD; ids outside
    /// [0, <see cref="VocabularySize"/>) decode to nothing (a model's embedding table has unused rows).
    /// </summary>
    /// <param name="ids">The ids.</param>
    /// <param name="skipSpecialTokens">Drop control tokens (<c>&lt;|im_end|&gt;</c>, <c>&lt;|image_pad|&gt;</c>, ...).</param>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if (TryGetBytes(id, skipSpecialTokens, out byte[]? tokenBytes))
            {
                bytes.AddRange(tokenBytes);
            }
        }

        return Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));
    }

    /// <summary>Starts an incremental decoder for generated ids (one per sequence; not thread-safe).</summary>
    public StreamingDetokenizer CreateStreamingDetokenizer(bool skipSpecialTokens = true) => new(this, skipSpecialTokens);

    /// <summary>
    /// The vocabulary string of an id (byte-level form, e.g. <c>Ġworld</c>; an added token's own text), or null for
    /// an unknown id.
    /// </summary>
    public string? IdToToken(int id) => (uint)id < (uint)_tokenById.Length ? _tokenById[id] : null;

    /// <summary>The id of a vocabulary string or added token, or null.</summary>
    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_addedByContent.TryGetValue(token, out int addedId))
        {
            return addedId;
        }

        return _vocabulary.TryGetValue(token, out int id) ? id : null;
    }

    /// <summary>Whether <paramref name="id"/> is a special (control) added token.</summary>
    public bool IsSpecial(int id) => _addedById.TryGetValue(id, out AddedToken? token) && token.IsSpecial;

    /// <summary>The bytes an id contributes to decoded text; false when it contributes none.</summary>
    internal bool TryGetBytes(int id, bool skipSpecialTokens, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = (uint)id < (uint)_bytesById.Length ? _bytesById[id] : null;
        if (bytes is null || (skipSpecialTokens && IsSpecial(id)))
        {
            bytes = null;
            return false;
        }

        return true;
    }

    // .NET strings may hold unpaired surrogates, which have no UTF-8 form; they become U+FFFD, as UTF-8 encoding does.
    private static string ReplaceLoneSurrogates(string text) =>
        text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF') ? Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text)) : text;

    private int RequireId(string token) => TokenToId(token)
        ?? throw new InvalidDataException($"the tokenizer has no '{token}' token; it is not a Qwen2-VL tokenizer");
}
