namespace Qwen2VL.Processing.Generation;

/// <summary>What a <see cref="StopSequenceMatcher"/> lets through after one piece of text.</summary>
/// <param name="Text">Text that is safe to send now: it can no longer become part of a stop string.</param>
/// <param name="StopString">The stop string that completed, or null. When set, <paramref name="Text"/> ends where it began.</param>
public readonly record struct StopSequenceMatch(string Text, string? StopString)
{
    /// <summary>Whether a stop string completed.</summary>
    public bool Stopped => StopString is not null;
}
