namespace Qwen2VL.Processing.Prompt;

/// <summary>The stable <see cref="InvalidInputException.Code"/> values for prompts that do not fit their media.</summary>
public static class PromptErrorCodes
{
    /// <summary>The number of image or video placeholders differs from the number of media items given.</summary>
    public const string MediaCountMismatch = "media_count_mismatch";
}
