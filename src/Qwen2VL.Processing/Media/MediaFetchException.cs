namespace Qwen2VL.Processing.Media;

/// <summary>A media reference could not be turned into usable bytes; <see cref="InvalidInputException.Code"/> is one of <see cref="MediaErrorCodes"/>.</summary>
public class MediaFetchException : InvalidInputException
{
    /// <summary>Creates the exception with one of the <see cref="MediaErrorCodes"/>.</summary>
    public MediaFetchException(string code, string message, Exception? innerException = null)
        : base(code, message, innerException)
    {
    }
}
