namespace Qwen2VL.Gateway.Telemetry;

/// <summary>What the gateway may write to logs. Bound from configuration section <see cref="Section"/>.</summary>
public sealed class GatewayLoggingOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "Qwen2VL:Logging";

    /// <summary>
    /// Log message texts (images as placeholders). Off by default: prompts are the tenants' data, and logs travel to
    /// places with weaker access control than the cluster. API keys are never logged, whatever this says.
    /// </summary>
    public bool IncludeContent { get; set; }

    /// <summary>Longest content excerpt written when <see cref="IncludeContent"/> is on.</summary>
    public int MaxContentChars { get; set; } = 4000;
}
