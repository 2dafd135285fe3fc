namespace Qwen2VL.Processing;

/// <summary>
/// Something a user sent cannot be used: the message says what and gives the numbers. Servers map it to
/// HTTP 400 / gRPC INVALID_ARGUMENT (or the status its <see cref="Code"/> implies); it never means the server is broken.
/// </summary>
public class InvalidInputException : Exception
{
    public InvalidInputException(string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        Code = code;
    }

    /// <summary>A stable machine-readable reason, e.g. <c>image_too_small</c> or <c>forbidden_address</c>.</summary>
    public string Code { get; }
}
