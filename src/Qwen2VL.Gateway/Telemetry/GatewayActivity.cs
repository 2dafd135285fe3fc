using System.Diagnostics;
using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Telemetry;

/// <summary>
/// The gateway's span around one chat request, with OpenTelemetry GenAI semantic-convention attributes. The source
/// is named <see cref="SourceName"/>, like the engine's, so one <c>AddSource</c> enables both. Content never goes
/// on spans.
/// </summary>
public static class GatewayActivity
{
    /// <summary>The activity source name of this project's own spans.</summary>
    public const string SourceName = "Qwen2VL";

    /// <summary>GenAI operation name, and the span name until the model is known ("chat {model}" after).</summary>
    public const string ChatOperation = "chat";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts the request span; null when nobody listens.</summary>
    public static Activity? StartChat(string requestId)
    {
        var activity = Source.StartActivity(ChatOperation, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAiAttributes.OperationName, ChatOperation);
            activity.SetTag(GenAiAttributes.ProviderName, GenAiAttributes.Provider);
            activity.SetTag(GenAiAttributes.ResponseId, requestId);
        }

        return activity;
    }

    /// <summary>Adds the validated request's parameters.</summary>
    public static void SetRequest(Activity? activity, string tenantId, ChatCompletionRequest request, string? sessionId)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.DisplayName = $"{ChatOperation} {request.Model}";
        activity.SetTag(GenAiAttributes.RequestModel, request.Model);
        activity.SetTag(GenAiAttributes.TenantId, tenantId);
        activity.SetTag(GenAiAttributes.ConversationId, sessionId);
        activity.SetTag(GenAiAttributes.RequestMaxTokens, request.MaxTokens);
        activity.SetTag(GenAiAttributes.RequestTemperature, request.Temperature);
        activity.SetTag(GenAiAttributes.RequestTopP, request.TopP);
        activity.SetTag(GenAiAttributes.RequestTopK, request.TopK);
        activity.SetTag(GenAiAttributes.RequestSeed, request.Seed);
        if (request.N != 1)
        {
            activity.SetTag(GenAiAttributes.RequestChoiceCount, request.N);
        }

        activity.SetTag(GenAiAttributes.Stream, request.Stream);
    }

    /// <summary>Adds what the answer used and why it ended.</summary>
    public static void SetResult(Activity? activity, string model, int promptTokens, int completionTokens, IReadOnlyList<string> finishReasons)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag(GenAiAttributes.ResponseModel, model);
        activity.SetTag(GenAiAttributes.UsageInputTokens, promptTokens);
        activity.SetTag(GenAiAttributes.UsageOutputTokens, completionTokens);
        activity.SetTag(GenAiAttributes.ResponseFinishReasons, finishReasons.ToArray());
    }

    /// <summary>Marks the span failed with the error's stable type (OpenAI error code or type), never its message.</summary>
    public static void Fail(Activity? activity, OpenAiException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (activity is null)
        {
            return;
        }

        string type = error.Code ?? error.Type;
        activity.SetStatus(ActivityStatusCode.Error, type);
        activity.SetTag("error.type", type);
        activity.SetTag("http.response.status_code", error.StatusCode);
    }
}
