using System.Globalization;
using System.Text;

namespace Qwen2VL.Processing.Text;

/// <summary>
/// Unicode Normalization Form C (canonical decomposition, canonical ordering, canonical composition).
/// </summary>
/// <remarks>
/// Written here because <see cref="string.Normalize(NormalizationForm)"/> is a no-op for non-ASCII text when the
/// process runs with invariant globalization (no ICU), which servers and containers commonly do, and tokenization must
/// not depend on how the host was configured. The character data is a table generated from the Unicode
/// Character Database (see <c>generate_canonical_data.py</c> beside this file) and compiled in.
/// </remarks>
internal static class NfcNormalizer
{
    private const int HangulSBase = 0xAC00, HangulLBase = 0x1100, HangulVBase = 0x1161, HangulTBase = 0x11A7;
    private const int HangulLCount = 19, HangulVCount = 21, HangulTCount = 28;
    private const int HangulNCount = HangulVCount * HangulTCount, HangulSCount = HangulLCount * HangulNCount;

    private static readonly CanonicalData Data = CanonicalData.Load();

    /// <summary>Returns the NFC form of <paramref name="text"/> (the same instance when it is already NFC).</summary>
    public static string Normalize(string text)
    {
        StringBuilder? output = null;
        int copied = 0;
        int lastStarter = 0;
        int i = 0;
        while (i < text.Length)
        {
            Rune rune = RuneAt(text, i);
            if (rune.Value < 0x300 || !Data.MayChange(rune.Value))
            {
                if (rune.Value < 0x300 || Data.CombiningClass(rune.Value) == 0)
                {
                    lastStarter = i;
                }

                i += rune.Utf16SequenceLength;
                continue;
            }

            // Only the stretch from the last starter before this character to the next starter that cannot combine
            // backwards can change; normalise that stretch and copy the rest as it is.
            int start = lastStarter;
            int end = i + rune.Utf16SequenceLength;
            while (end < text.Length)
            {
                Rune next = RuneAt(text, end);
                if (next.Value < 0x300 || (!Data.MayChange(next.Value) && Data.CombiningClass(next.Value) == 0))
                {
                    break;
                }

                end += next.Utf16SequenceLength;
            }

            output ??= new StringBuilder(text.Length);
            output.Append(text, copied, start - copied);
            output.Append(NormalizeStretch(text.AsSpan(start, end - start)));
            copied = end;
            lastStarter = end;
            i = end;
        }

        return output is null ? text : output.Append(text, copied, text.Length - copied).ToString();
    }

    // A lone surrogate reads as U+FFFD (which never changes) and is copied through as it is.
    private static Rune RuneAt(string text, int index)
    {
        Rune.DecodeFromUtf16(text.AsSpan(index), out Rune rune, out _);
        return rune;
    }

    private static string NormalizeStretch(ReadOnlySpan<char> stretch)
    {
        var codePoints = new List<int>(stretch.Length + 2);
        foreach (Rune rune in stretch.EnumerateRunes())
        {
            Decompose(rune.Value, codePoints);
        }

        ReorderCanonically(codePoints);
        Compose(codePoints);

        var builder = new StringBuilder(codePoints.Count);
        foreach (int cp in codePoints)
        {
            builder.Append(char.ConvertFromUtf32(cp));
        }

        return builder.ToString();
    }

    private static void Decompose(int cp, List<int> output)
    {
        if (cp is >= HangulSBase and < HangulSBase + HangulSCount)
        {
            int index = cp - HangulSBase;
            output.Add(HangulLBase + (index / HangulNCount));
            output.Add(HangulVBase + (index % HangulNCount / HangulTCount));
            int t = index % HangulTCount;
            if (t != 0)
            {
                output.Add(HangulTBase + t);
            }

            return;
        }

        if (Data.Decompositions.TryGetValue(cp, out int[]? parts))
        {
            foreach (int part in parts)
            {
                Decompose(part, output);
            }

            return;
        }

        output.Add(cp);
    }

    // Stable sort of every run of non-starters by combining class (insertion sort: runs are a few marks long).
    private static void ReorderCanonically(List<int> cps)
    {
        for (int i = 1; i < cps.Count; i++)
        {
            int cc = Data.CombiningClass(cps[i]);
            if (cc == 0)
            {
                continue;
            }

            int j = i;
            while (j > 0 && Data.CombiningClass(cps[j - 1]) > cc)
            {
                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
                j--;
            }
        }
    }

    private static void Compose(List<int> cps)
    {
        if (cps.Count == 0)
        {
            return;
        }

        int starterPos = 0;
        int lastClass = Data.CombiningClass(cps[0]) == 0 ? 0 : 256;
        int write = 1;
        for (int read = 1; read < cps.Count; read++)
        {
            int cp = cps[read];
            int cc = Data.CombiningClass(cp);
            // lastClass == 0 means the starter is directly before cp; otherwise cp must not be blocked by a mark
            // of the same or a higher class.
            if ((lastClass < cc || lastClass == 0) && TryCompose(cps[starterPos], cp, out int composite))
            {
                cps[starterPos] = composite;
                continue;
            }

            if (cc == 0)
            {
                starterPos = write;
            }

            lastClass = cc;
            cps[write++] = cp;
        }

        cps.RemoveRange(write, cps.Count - write);
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        if (first is >= HangulLBase and < HangulLBase + HangulLCount
            && second is >= HangulVBase and < HangulVBase + HangulVCount)
        {
            composite = HangulSBase + ((((first - HangulLBase) * HangulVCount) + second - HangulVBase) * HangulTCount);
            return true;
        }

        if (first is >= HangulSBase and < HangulSBase + HangulSCount && (first - HangulSBase) % HangulTCount == 0
            && second is > HangulTBase and < HangulTBase + HangulTCount)
        {
            composite = first + (second - HangulTBase);
            return true;
        }

        return Data.Compositions.TryGetValue(((long)first << 21) | (uint)second, out composite);
    }

    /// <summary>The parsed table: combining classes, one-level decompositions and primary compositions.</summary>
    private sealed class CanonicalData
    {
        private readonly Dictionary<int, int> _combiningClasses = [];
        private readonly HashSet<int> _mayChange = [];

        public Dictionary<int, int[]> Decompositions { get; } = [];

        public Dictionary<long, int> Compositions { get; } = [];

        public int CombiningClass(int cp) => _combiningClasses.TryGetValue(cp, out int cc) ? cc : 0;

        public bool MayChange(int cp) => _mayChange.Contains(cp);

        public static CanonicalData Load()
        {
            var data = new CanonicalData();
            foreach (string line in CanonicalCompositionTable.Lines.Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                string[] fields = line.Split(';');
                int cp = ParseHex(fields[0]);
                int cc = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (cc != 0)
                {
                    data._combiningClasses[cp] = cc;
                    data.MarkMayChange(cp);
                }

                if (fields[2].Length == 0)
                {
                    continue;
                }

                int[] parts = Array.ConvertAll(fields[2].Split(' '), ParseHex);
                data.Decompositions[cp] = parts;
                if (fields[3] == "x")
                {
                    data.MarkMayChange(cp);
                }
                else if (parts.Length == 2)
                {
                    data.Compositions[((long)parts[0] << 21) | (uint)parts[1]] = cp;
                    data.MarkMayChange(parts[1]);
                }
            }

            // Hangul vowels and trailing consonants combine with the syllable before them.
            for (int cp = HangulVBase; cp < HangulVBase + HangulVCount; cp++)
            {
                data.MarkMayChange(cp);
            }

            for (int cp = HangulTBase + 1; cp < HangulTBase + HangulTCount; cp++)
            {
                data.MarkMayChange(cp);
            }

            return data;
        }

        private void MarkMayChange(int cp) => _mayChange.Add(cp);

        private static int ParseHex(string hex) => int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
