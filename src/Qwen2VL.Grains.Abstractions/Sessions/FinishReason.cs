namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>Why an answer ended.</summary>
public enum FinishReason
{
    /// <summary>The model ended its turn or produced a stop string.</summary>
    Stop = 0,

    /// <summary>The answer reached the token limit.</summary>
    Length = 1,

    /// <summary>The model asked for a tool call.</summary>
    ToolCalls = 2,
}
