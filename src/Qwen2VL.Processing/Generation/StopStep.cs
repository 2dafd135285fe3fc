namespace Qwen2VL.Processing.Generation;

/// <summary>What one generated token adds to the visible output, and whether the sequence ended with it.</summary>
/// <param name="Text">Text to send now (may be empty while a possible stop string is held back).</param>
/// <param name="Finish">Why the sequence ended with this token, or null while it goes on.</param>
/// <param name="StopString">The stop string that ended it, if one did.</param>
/// <param name="StopTokenId">The stop token or EOS id that ended it, if one did.</param>
public sealed record StopStep(string Text, FinishReason? Finish, string? StopString = null, int? StopTokenId = null)
{
    /// <summary>Whether the sequence ended with this token.</summary>
    public bool IsFinished => Finish is not null;
}
