using System.Text;
using Microsoft.ML.Tokenizers;

namespace Qwen2VL.Processing.Text;

/// <summary>
/// Splits text into the pieces BPE runs on, exactly as Qwen2's pre-tokenizer regex
/// <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>
/// does (leftmost-first alternation with backtracking), but over Unicode code points.
/// </summary>
/// <remarks>
/// Hand-written rather than a <see cref="System.Text.RegularExpressions.Regex"/> because .NET's regex engine matches
/// UTF-16 code units: a letter or digit outside the Basic Multilingual Plane (𝐚, 𠀀, 𝟎) is a surrogate pair that
/// <c>\p{L}</c> and <c>\p{N}</c> do not match, which splits such text differently from the reference. Each branch
/// below resolves what the regex's backtracking would settle on, so one pass with no backtracking suffices.
/// </remarks>
internal sealed class Qwen2PreTokenizer : PreTokenizer
{
    /// <summary>The shared instance; the splitter holds no state.</summary>
    public static Qwen2PreTokenizer Instance { get; } = new();

    /// <inheritdoc />
    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) =>
        text is null ? [] : Split(text.AsSpan());

    /// <inheritdoc />
    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => Split(text);

    /// <summary>The (offset, length) of every piece, in UTF-16 units; the pieces cover the text without gaps.</summary>
    public static List<(int Offset, int Length)> Split(ReadOnlySpan<char> text)
    {
        var pieces = new List<(int, int)>(text.Length / 3 + 1);
        int i = 0;
        while (i < text.Length)
        {
            int length = MatchAt(text, i);
            pieces.Add((i, length));
            i += length;
        }

        return pieces;
    }

    private enum CharClass
    {
        Letter,
        Number,
        Whitespace,
        Other,
    }

    private static int MatchAt(ReadOnlySpan<char> text, int start)
    {
        (CharClass first, int firstWidth) = Classify(text, start);

        // 1. (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if (text[start] == '\'')
        {
            int contraction = MatchContraction(text, start + 1);
            if (contraction > 0)
            {
                return 1 + contraction;
            }
        }

        // 2. [^\r\n\p{L}\p{N}]?\p{L}+
        if (first == CharClass.Letter)
        {
            return EndOfRun(text, start, CharClass.Letter) - start;
        }

        int afterFirst = start + firstWidth;
        if (first != CharClass.Number && !IsLineBreak(text[start]) && afterFirst < text.Length
            && Classify(text, afterFirst).Class == CharClass.Letter)
        {
            return EndOfRun(text, afterFirst, CharClass.Letter) - start;
        }

        // 3. \p{N}: one digit at a time.
        if (first == CharClass.Number)
        {
            return firstWidth;
        }

        // 4. " ?[^\s\p{L}\p{N}]+[\r\n]*"
        int symbols = text[start] == ' ' ? afterFirst : start;
        if (symbols < text.Length && Classify(text, symbols).Class == CharClass.Other)
        {
            int end = EndOfRun(text, symbols, CharClass.Other);
            while (end < text.Length && IsLineBreak(text[end]))
            {
                end++;
            }

            return end - start;
        }

        // Only whitespace is left (every other class matched above). White_Space characters are all in the BMP.
        int runEnd = start;
        int lastLineBreak = -1;
        while (runEnd < text.Length && Classify(text, runEnd).Class == CharClass.Whitespace)
        {
            if (IsLineBreak(text[runEnd]))
            {
                lastLineBreak = runEnd;
            }

            runEnd++;
        }

        // 5. \s*[\r\n]+ : backtracking ends the match just after the run's last line break.
        if (lastLineBreak >= 0)
        {
            return lastLineBreak + 1 - start;
        }

        // 6. \s+(?!\S) : the whole run at the end of text, otherwise all but its last character (which then leads
        //    the next piece, e.g. " word"). 7. \s+ : a single whitespace character before non-whitespace.
        if (runEnd == text.Length || runEnd - start == 1)
        {
            return runEnd - start;
        }

        return runEnd - 1 - start;
    }

    // The length of s|t|re|ve|m|ll|d (any case) at position, or 0.
    private static int MatchContraction(ReadOnlySpan<char> text, int position)
    {
        if (position >= text.Length)
        {
            return 0;
        }

        char c = char.ToLowerInvariant(text[position]);
        // U+017F LATIN SMALL LETTER LONG S case-folds to 's', so the reference's case-insensitive match accepts it.
        if (c is 's' or 't' or 'm' or 'd' or '\u017F')
        {
            return 1;
        }

        if (position + 1 < text.Length)
        {
            char next = char.ToLowerInvariant(text[position + 1]);
            if ((c is 'r' or 'v' && next == 'e') || (c == 'l' && next == 'l'))
            {
                return 2;
            }
        }

        return 0;
    }

    private static int EndOfRun(ReadOnlySpan<char> text, int position, CharClass cls)
    {
        while (position < text.Length)
        {
            (CharClass c, int width) = Classify(text, position);
            if (c != cls)
            {
                break;
            }

            position += width;
        }

        return position;
    }

    private static bool IsLineBreak(char c) => c is '\r' or '\n';

    private static (CharClass Class, int Width) Classify(ReadOnlySpan<char> text, int position)
    {
        char c = text[position];
        if (c < 0x80)
        {
            // ASCII fast path.
            if (char.IsAsciiLetter(c))
            {
                return (CharClass.Letter, 1);
            }

            if (char.IsAsciiDigit(c))
            {
                return (CharClass.Number, 1);
            }

            return (c is ' ' or (>= '\t' and <= '\r') ? CharClass.Whitespace : CharClass.Other, 1);
        }

        // A lone surrogate decodes as U+FFFD (a symbol), which is also what its UTF-8 encoding becomes.
        Rune.DecodeFromUtf16(text[position..], out Rune rune, out int width);
        if (Rune.IsLetter(rune))
        {
            return (CharClass.Letter, width);
        }

        if (Rune.IsNumber(rune))
        {
            return (CharClass.Number, width);
        }

        return (Rune.IsWhiteSpace(rune) ? CharClass.Whitespace : CharClass.Other, width);
    }
}
