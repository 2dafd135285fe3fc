namespace Qwen2VL.Model.Sampling;

/// <summary>
/// A sampling parameter a user sent is out of range. <see cref="ArgumentException.ParamName"/> is the API field name
/// (e.g. <c>top_p</c>) and <see cref="Message"/> is a sentence fit for an HTTP 400 body (no "(Parameter ...)" suffix).
/// The Model project cannot see Processing's <c>InvalidInputException</c>, so servers map this type to the same answer.
/// </summary>
public sealed class InvalidSamplingParameterException : ArgumentException
{
    private readonly string _sentence;

    /// <summary>Creates the exception for <paramref name="parameter"/> with a message that gives the bad value.</summary>
    public InvalidSamplingParameterException(string parameter, string message)
        : base(message, parameter)
    {
        _sentence = message;
    }

    /// <summary>The machine-readable reason, matching the codes Processing uses for bad input.</summary>
    public static string Code => "invalid_sampling_parameter";

    /// <inheritdoc />
    public override string Message => _sentence;
}
