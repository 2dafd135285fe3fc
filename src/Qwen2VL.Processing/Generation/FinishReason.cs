namespace Qwen2VL.Processing.Generation;

/// <summary>Why a sequence stopped, with the OpenAI API's names (<c>stop</c>, <c>length</c>).</summary>
public enum FinishReason
{
    /// <summary>A stop token, EOS (unless ignored) or a stop string ended the sequence.</summary>
    Stop,

    /// <summary>The sequence reached its token budget or the model's context length.</summary>
    Length,
}
