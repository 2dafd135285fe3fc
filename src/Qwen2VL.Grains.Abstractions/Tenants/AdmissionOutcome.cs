namespace Qwen2VL.Grains.Abstractions.Tenants;

/// <summary>Whether a request was admitted, and which limit refused it otherwise.</summary>
public enum AdmissionOutcome
{
    /// <summary>Admitted: it holds a stream slot until released.</summary>
    Admitted = 0,

    /// <summary>Refused: too many requests in the last minute.</summary>
    RequestRateExceeded = 1,

    /// <summary>Refused: too many tokens in the last minute.</summary>
    TokenRateExceeded = 2,

    /// <summary>Refused: too many streams open.</summary>
    TooManyStreams = 3,

    /// <summary>Refused: too many images or videos in the request; retrying will not help.</summary>
    TooManyImages = 4,
}
