namespace Qwen2VL.Grains.Abstractions.Generation;

/// <summary>
/// A worker refused the request itself (bad media, a prompt over the context length, invalid sampling): retrying it
/// elsewhere cannot help. Gateways answer 4xx with <see cref="Code"/>.
/// </summary>
[GenerateSerializer]
public sealed class GenerationRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">A stable reason such as <c>context_length_exceeded</c> or <c>image_too_small</c>.</param>
    /// <param name="message">What is wrong, with the numbers.</param>
    public GenerationRejectedException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>The stable reason.</summary>
    [Id(0)] public string Code { get; private set; }
}
