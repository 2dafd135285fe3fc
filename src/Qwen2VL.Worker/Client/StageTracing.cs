using System.Diagnostics;
using Qwen2VL.Worker.V1;

namespace Qwen2VL.Worker.Client;

/// <summary>W3C trace context across stages: one trace spans the driver's step and every stage it reaches.</summary>
public static class StageTracing
{
    /// <summary>The activity source of stage spans ("Qwen2VL.Worker").</summary>
    public static ActivitySource Source { get; } = new("Qwen2VL.Worker");

    /// <summary>The ambient activity's context for the next stage, or null outside any trace.</summary>
    public static TraceContext? Current()
    {
        var activity = Activity.Current;
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C || activity.Id is null)
        {
            return null;
        }

        return new TraceContext { Traceparent = activity.Id, Tracestate = activity.TraceStateString ?? "" };
    }

    /// <summary>
    /// Starts the span of one step on a stage under the caller's context. Without a listener the activity is still
    /// created when a context arrived, so the context reaches the next stage even if this one records nothing.
    /// </summary>
    public static Activity? StartStep(TraceContext? incoming, long step)
    {
        var activity = StartServer(incoming, "qwen2vl.stage.forward");
        activity?.SetTag("qwen2vl.step", step);
        return activity;
    }

    /// <summary>Starts a server span named <paramref name="name"/> under the caller's context (see <see cref="StartStep"/>).</summary>
    public static Activity? StartServer(TraceContext? incoming, string name)
    {
        string? parent = string.IsNullOrEmpty(incoming?.Traceparent) ? null : incoming.Traceparent;
        string? state = string.IsNullOrEmpty(incoming?.Tracestate) ? null : incoming.Tracestate;
        if (parent is null || !ActivityContext.TryParse(parent, state, out var context))
        {
            return Source.StartActivity(name, ActivityKind.Server);
        }

        var activity = Source.StartActivity(name, ActivityKind.Server, context) ?? new Activity(name).SetParentId(parent).Start();
        if (state is not null)
        {
            activity.TraceStateString = state;
        }

        return activity;
    }
}
