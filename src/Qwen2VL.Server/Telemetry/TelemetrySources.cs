using Qwen2VL.Engine.Telemetry;
using Qwen2VL.Gateway.Telemetry;

namespace Qwen2VL.Server.Telemetry;

/// <summary>The activity sources and meters this server exports, by name.</summary>
public static class TelemetrySources
{
    /// <summary>Spans of application grain calls (the request path through the cluster).</summary>
    public const string OrleansApplication = "Microsoft.Orleans.Application";

    /// <summary>Spans of Orleans' own system grain calls (membership, directory).</summary>
    public const string OrleansRuntime = "Microsoft.Orleans.Runtime";

    /// <summary>Orleans' metrics.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>The .NET runtime's built-in metrics (GC, thread pool, CPU).</summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>This project's spans (gateway and engine share the source name).</summary>
    public static string ActivitySource => EngineActivity.SourceName;

    /// <summary>This project's meters.</summary>
    public static IReadOnlyList<string> Meters { get; } = [EngineMetrics.MeterName, GatewayMetrics.MeterName];
}
