namespace Qwen2VL.Gateway.Telemetry;

/// <summary>How a gateway request ended, as counted per tenant.</summary>
public enum RequestOutcome
{
    /// <summary>Answered in full.</summary>
    Success,

    /// <summary>Refused or failed (any error status, or an error event in a stream).</summary>
    Error,

    /// <summary>The client went away first.</summary>
    Cancelled,
}
