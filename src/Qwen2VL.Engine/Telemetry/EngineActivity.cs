using System.Diagnostics;

namespace Qwen2VL.Engine.Telemetry;

/// <summary>
/// The engine's spans. The source shares the name <see cref="SourceName"/> with the gateway's, so one
/// <c>AddSource</c> enables both; a span covers one request from submission to its last event.
/// </summary>
public static class EngineActivity
{
    /// <summary>The activity source name of this project's own spans.</summary>
    public const string SourceName = "Qwen2VL";

    /// <summary>Name of the span around one engine request.</summary>
    public const string GenerateSpanName = "qwen2vl.engine.generate";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts the request span with what is known at submission; null when nobody listens.</summary>
    internal static Activity? StartGenerate(GenerationRequest request)
    {
        var activity = Source.StartActivity(GenerateSpanName, ActivityKind.Internal);
        if (activity is null || !activity.IsAllDataRequested)
        {
            return activity;
        }

        var sampling = request.Sampling;
        activity.SetTag(GenAiAttributes.OperationName, "chat");
        activity.SetTag(GenAiAttributes.ProviderName, GenAiAttributes.Provider);
        activity.SetTag(GenAiAttributes.TenantId, request.TenantId);
        if (sampling.MaxNewTokens is { } maxTokens)
        {
            activity.SetTag(GenAiAttributes.RequestMaxTokens, maxTokens);
        }

        activity.SetTag(GenAiAttributes.RequestTemperature, sampling.Temperature);
        activity.SetTag(GenAiAttributes.RequestTopP, sampling.TopP);
        if (sampling.TopK > 0)
        {
            activity.SetTag(GenAiAttributes.RequestTopK, sampling.TopK);
        }

        if (sampling.Seed is { } seed)
        {
            activity.SetTag(GenAiAttributes.RequestSeed, seed);
        }

        activity.SetTag(GenAiAttributes.MediaItems, request.Media.Count);
        return activity;
    }

    /// <summary>Adds an event's accounting to the span.</summary>
    internal static void Observe(Activity? activity, GenerationEvent item)
    {
        if (activity is null || !activity.IsAllDataRequested)
        {
            return;
        }

        switch (item)
        {
            case PromptProcessed prompt:
                activity.SetTag(GenAiAttributes.UsageInputTokens, prompt.PromptTokens);
                activity.SetTag(GenAiAttributes.CachedInputTokens, prompt.CachedPromptTokens);
                activity.SetTag(GenAiAttributes.QueueTimeSeconds, prompt.QueueTime.TotalSeconds);
                activity.SetTag(GenAiAttributes.PrefillTimeSeconds, prompt.PrefillTime.TotalSeconds);
                break;
            case GenerationFinished finished:
                activity.SetTag(GenAiAttributes.UsageOutputTokens, finished.GeneratedTokens);
                activity.SetTag(GenAiAttributes.ResponseFinishReasons, new[] { EngineMetrics.FinishReasonValue(finished.Reason) });
                break;
        }
    }

    /// <summary>Marks the span failed with the exception's type (the message may quote a prompt, so it stays out).</summary>
    internal static void Fail(Activity? activity, Exception error)
    {
        if (activity is null)
        {
            return;
        }

        string type = error is EngineRejectedException rejected ? rejected.Code : error.GetType().FullName ?? error.GetType().Name;
        activity.SetStatus(ActivityStatusCode.Error, type);
        activity.SetTag("error.type", type);
    }
}
