namespace Qwen2VL.Processing.Generation;

/// <summary>
/// Finds stop strings in streamed text. Text is released only once it can no longer be the start of a stop string:
/// the matcher holds back the text from the earliest position where a stop string could still begin (at most the
/// longest stop string less one character), so a stream never shows text that later turns out to be part of a stop
/// string. A stop string itself is never released, nor anything after it, as in the OpenAI API.
/// </summary>
/// <remarks>
/// When several stop strings occur, the one that is complete first as the text grows wins (and, of those ending at
/// the same character, the one starting first), i.e. what a character-by-character stream would stop at.
/// Matching is ordinal over UTF-16; a surrogate pair is never split between released and held text.
/// </remarks>
public sealed class StopSequenceMatcher
{
    private readonly string[] _stops;
    private string _held = string.Empty;
    private bool _stopped;

    /// <summary>Creates a matcher for <paramref name="stopStrings"/> (each non-empty; none means text is never held).</summary>
    public StopSequenceMatcher(IReadOnlyList<string> stopStrings)
    {
        ArgumentNullException.ThrowIfNull(stopStrings);
        for (int i = 0; i < stopStrings.Count; i++)
        {
            if (string.IsNullOrEmpty(stopStrings[i]))
            {
                throw new ArgumentException($"stop string {i} is empty", nameof(stopStrings));
            }
        }

        _stops = [.. stopStrings.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The text received but not yet released.</summary>
    public string HeldBack => _held;

    /// <summary>Feeds the next piece of text and returns what may be released.</summary>
    /// <exception cref="InvalidOperationException">A stop string already completed.</exception>
    public StopSequenceMatch Push(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_stopped)
        {
            throw new InvalidOperationException("a stop string already completed; no more text is accepted");
        }

        string buffer = _held + text;
        if (FindFirstCompleted(buffer) is var (start, stop) && stop is not null)
        {
            _stopped = true;
            _held = string.Empty;
            return new StopSequenceMatch(buffer[..start], stop);
        }

        int holdFrom = HoldStart(buffer);
        _held = buffer[holdFrom..];
        return new StopSequenceMatch(buffer[..holdFrom], null);
    }

    /// <summary>Releases the held text: the stream ended for another reason, so it is plain output.</summary>
    public string Flush()
    {
        string held = _held;
        _held = string.Empty;
        return held;
    }

    /// <summary>The stop string that completes earliest in <paramref name="buffer"/>, and where it starts.</summary>
    private (int Start, string? Stop) FindFirstCompleted(string buffer)
    {
        int bestEnd = int.MaxValue, bestStart = int.MaxValue;
        string? best = null;
        foreach (string stop in _stops)
        {
            int start = buffer.IndexOf(stop, StringComparison.Ordinal);
            if (start < 0)
            {
                continue;
            }

            int end = start + stop.Length;
            if (end < bestEnd || (end == bestEnd && start < bestStart))
            {
                (bestEnd, bestStart, best) = (end, start, stop);
            }
        }

        return (bestStart, best);
    }

    /// <summary>
    /// The start of the longest suffix of <paramref name="buffer"/> that is a proper prefix of a stop string; text
    /// before it can never join a stop string, since any later match would have to start inside that suffix.
    /// </summary>
    private int HoldStart(string buffer)
    {
        int longest = _stops.Length == 0 ? 0 : Math.Min(buffer.Length, _stops.Max(s => s.Length) - 1);
        int holdFrom = buffer.Length;
        for (int length = longest; length > 0; length--)
        {
            if (IsProperPrefixOfAStop(buffer.AsSpan(buffer.Length - length)))
            {
                holdFrom = buffer.Length - length;
                break;
            }
        }

        // Never end released text on half a surrogate pair: the rest of the character is still to come.
        if (holdFrom > 0 && char.IsHighSurrogate(buffer[holdFrom - 1]) && (holdFrom == buffer.Length || char.IsLowSurrogate(buffer[holdFrom])))
        {
            holdFrom--;
        }

        return holdFrom;
    }

    private bool IsProperPrefixOfAStop(ReadOnlySpan<char> text)
    {
        foreach (string stop in _stops)
        {
            if (stop.Length > text.Length && stop.AsSpan().StartsWith(text, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
