namespace Qwen2VL.Processing.Text;

/// <summary>Variables for rendering a conversation, besides the messages.</summary>
public sealed record ChatTemplateOptions
{
    /// <summary>
    /// End with the assistant turn header so the model answers next (<c>add_generation_prompt</c>). Defaults to true,
    /// which is what serving a chat request needs (the reference's default is false).
    /// </summary>
    public bool AddGenerationPrompt { get; init; } = true;

    /// <summary>Label each image and video ("Picture 1: ", "Video 1: ") (<c>add_vision_id</c>).</summary>
    public bool AddVisionId { get; init; }

    /// <summary>Tool definitions (<c>tools</c>), as JSON elements or dictionaries; null leaves <c>tools</c> undefined.</summary>
    public object? Tools { get; init; }

    /// <summary>Any other variables the template reads.</summary>
    public IReadOnlyDictionary<string, object?>? ExtraVariables { get; init; }
}
