namespace Qwen2VL.Engine;

/// <summary>
/// How many leading tokens of a new prompt a cached sequence can serve. Token ids alone are not enough: two different
/// images expand to the same run of pad tokens, so the match also stops at the first media item whose content differs.
/// </summary>
public static class PrefixMatcher
{
    public static int Match(
        ReadOnlySpan<int> cachedTokens,
        IReadOnlyList<MediaSpan> cachedMedia,
        ReadOnlySpan<int> promptTokens,
        IReadOnlyList<MediaSpan> promptMedia)
    {
        int length = cachedTokens.CommonPrefixLength(promptTokens);
        for (int i = 0; i < cachedMedia.Count; i++)
        {
            var cached = cachedMedia[i];
            if (cached.Start >= length)
            {
                break;
            }

            bool same = i < promptMedia.Count
                && promptMedia[i].Start == cached.Start
                && promptMedia[i].Length == cached.Length
                && string.Equals(promptMedia[i].ContentHash, cached.ContentHash, StringComparison.Ordinal);
            if (!same)
            {
                return cached.Start;
            }
        }

        return length;
    }
}
