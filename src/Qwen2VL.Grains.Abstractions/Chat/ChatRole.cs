namespace Qwen2VL.Grains.Abstractions.Chat;

/// <summary>Who wrote a chat message; the worker maps each role to the chat template's turn markers.</summary>
public enum ChatRole
{
    /// <summary>Instructions that frame the conversation.</summary>
    System = 0,

    /// <summary>The person (or program) talking to the model.</summary>
    User = 1,

    /// <summary>The model's answers.</summary>
    Assistant = 2,

    /// <summary>The result of a tool call the assistant asked for.</summary>
    Tool = 3,
}
