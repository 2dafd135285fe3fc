using System.Diagnostics.CodeAnalysis;

namespace Qwen2VL.Processing.Text;

/// <summary>
/// Finds added tokens in text, leftmost first and, among tokens starting at the same place, longest first (the
/// reference's rule), honouring each token's strip and single-word flags.
/// </summary>
internal sealed class AddedTokenMatcher
{
    // Candidates indexed by first character, longest first, so a scan position costs a dictionary probe.
    private readonly Dictionary<char, AddedToken[]> _byFirstChar;

    public AddedTokenMatcher(IEnumerable<AddedToken> tokens)
    {
        _byFirstChar = tokens
            .Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
    }

    /// <summary>
    /// Splits <paramref name="text"/> into plain segments and added-token matches, in order. A match's range includes
    /// any whitespace its strip flags absorb.
    /// </summary>
    public IEnumerable<TextSegment> Split(string text)
    {
        int plainStart = 0;
        int i = 0;
        while (i < text.Length)
        {
            if (!TryMatchAt(text, i, out AddedToken? token))
            {
                i++;
                continue;
            }

            int matchStart = i;
            int matchEnd = i + token.Content.Length;
            if (token.LeftStrip)
            {
                while (matchStart > plainStart && char.IsWhiteSpace(text[matchStart - 1]))
                {
                    matchStart--;
                }
            }

            if (token.RightStrip)
            {
                while (matchEnd < text.Length && char.IsWhiteSpace(text[matchEnd]))
                {
                    matchEnd++;
                }
            }

            if (matchStart > plainStart)
            {
                yield return new TextSegment(plainStart, matchStart - plainStart, null);
            }

            yield return new TextSegment(matchStart, matchEnd - matchStart, token);
            plainStart = i = matchEnd;
        }

        if (plainStart < text.Length)
        {
            yield return new TextSegment(plainStart, text.Length - plainStart, null);
        }
    }

    private bool TryMatchAt(string text, int position, [NotNullWhen(true)] out AddedToken? match)
    {
        match = null;
        if (!_byFirstChar.TryGetValue(text[position], out AddedToken[]? candidates))
        {
            return false;
        }

        foreach (AddedToken candidate in candidates)
        {
            if (text.Length - position >= candidate.Content.Length
                && string.CompareOrdinal(text, position, candidate.Content, 0, candidate.Content.Length) == 0
                && (!candidate.SingleWord || IsWholeWord(text, position, candidate.Content.Length)))
            {
                match = candidate;
                return true;
            }
        }

        return false;
    }

    private static bool IsWholeWord(string text, int start, int length)
    {
        bool before = start > 0 && char.IsLetterOrDigit(text[start - 1]);
        bool after = start + length < text.Length && char.IsLetterOrDigit(text[start + length]);
        return !before && !after;
    }
}
