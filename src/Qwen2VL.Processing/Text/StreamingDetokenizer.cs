using System.Text;

namespace Qwen2VL.Processing.Text;

/// <summary>
/// Turns generated ids into text as they arrive. A character whose UTF-8 bytes are split over several tokens (an
/// emoji, most CJK characters) is held back until its last byte arrives, so every piece returned is complete text and
/// concatenating the pieces plus <see cref="Flush"/> equals <see cref="Qwen2Tokenizer.Decode"/> of all the ids.
/// One instance per generated sequence; not thread-safe.
/// </summary>
public sealed class StreamingDetokenizer
{
    private readonly Qwen2Tokenizer _tokenizer;
    private readonly bool _skipSpecialTokens;
    // A stateful UTF-8 decoder keeps an incomplete trailing sequence between calls and turns invalid bytes into
    // U+FFFD, exactly the split between "wait for more" and "never valid" that streaming needs.
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private char[] _chars = new char[16];

    internal StreamingDetokenizer(Qwen2Tokenizer tokenizer, bool skipSpecialTokens)
    {
        _tokenizer = tokenizer;
        _skipSpecialTokens = skipSpecialTokens;
    }

    /// <summary>
    /// Adds one id and returns the text it completes: empty while a character is still incomplete (or for a skipped
    /// or unknown id), possibly more than this token's own text when it completes an earlier token's bytes.
    /// </summary>
    public string Add(int id)
    {
        if (!_tokenizer.TryGetBytes(id, _skipSpecialTokens, out byte[]? bytes))
        {
            return string.Empty;
        }

        return DecodeBytes(bytes, flush: false);
    }

    /// <summary>
    /// Ends the sequence: bytes still waiting for the rest of a character (the sequence stopped mid-character)
    /// come back as U+FFFD. The detokenizer can then be reused for a new sequence.
    /// </summary>
    public string Flush() => DecodeBytes([], flush: true);

    private string DecodeBytes(byte[] bytes, bool flush)
    {
        int needed = _decoder.GetCharCount(bytes, 0, bytes.Length, flush);
        if (needed > _chars.Length)
        {
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        }

        int count = _decoder.GetChars(bytes, 0, bytes.Length, _chars, 0, flush);
        return new string(_chars, 0, count);
    }
}
