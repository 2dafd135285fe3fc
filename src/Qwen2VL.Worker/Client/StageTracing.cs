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
        string? parent = string.IsNullOrEmpty(incoming?.Traceparent) ? null : incoming.Traceparent;
        string? state = string.IsNullOrEmpty(incoming?.Tracestate) ? null : incoming.Tracestate;
        Activity? activity = null;
        if (parent is not null && ActivityContext.TryParse(parent, state, out var context))
        {
            activity = Source.StartActivity("qwen2vl.stage.forward", ActivityKind.Server, context);
            activity ??= new Activity("qwen2vl.stage.forward").SetParentId(parent).Start();
            if (state is not null)
            {
                activity.TraceStateString = state;
            }
        }
        else
        {
            activity = Source.StartActivity("qwen2vl.stage.forward", ActivityKind.Server);
        }

        activity?.SetTag("qwen2vl.step", step);
        return activity;
    }
}
