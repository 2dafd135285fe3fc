namespace Qwen2VL.Processing.Video;

/// <summary>A video a user sent cannot be used; <see cref="InvalidInputException.Code"/> is one of <see cref="VideoErrorCodes"/>.</summary>
public sealed class InvalidVideoException : InvalidInputException
{
    /// <summary>Creates the exception with one of the <see cref="VideoErrorCodes"/>.</summary>
    public InvalidVideoException(string code, string message, Exception? innerException = null)
        : base(code, message, innerException)
    {
    }
}
