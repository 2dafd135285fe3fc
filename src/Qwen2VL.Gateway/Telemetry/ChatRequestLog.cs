using Microsoft.Extensions.Logging;
using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Telemetry;

/// <summary>
/// The gateway's request logging: a scope with the request, tenant and session ids around everything logged for a
/// request, and request lines that carry content only when <see cref="GatewayLoggingOptions.IncludeContent"/> is on.
/// </summary>
public static partial class ChatRequestLog
{
    private static readonly Func<ILogger, string, string, string?, IDisposable?> Scope =
        LoggerMessage.DefineScope<string, string, string?>("request {RequestId} tenant {TenantId} session {SessionId}");

    /// <summary>Opens the request's scope; dispose it when the request ends.</summary>
    /// <param name="requestId">The id the client sees (the completion id).</param>
    public static IDisposable? BeginRequestScope(ILogger logger, string requestId, string tenantId, string? sessionId) =>
        Scope(logger, requestId, tenantId, sessionId);

    /// <summary>Logs an accepted request's shape, and its content if the options allow.</summary>
    public static void Received(ILogger logger, GatewayLoggingOptions options, ChatCompletionRequest request)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(request);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            var (messages, images, videos) = ChatContentSummary.Shape(request.Messages);
            LogReceived(logger, request.Model, messages, images, videos, request.N, request.Stream);
        }

        if (options.IncludeContent && logger.IsEnabled(LogLevel.Information))
        {
            LogContent(logger, ChatContentSummary.Render(request.Messages, options.MaxContentChars));
        }
    }

    /// <summary>Logs a completed request's usage and duration.</summary>
    public static void Completed(ILogger logger, int promptTokens, int completionTokens, IReadOnlyList<string> finishReasons, TimeSpan elapsed) =>
        LogCompleted(logger, promptTokens, completionTokens, string.Join(',', finishReasons), elapsed.TotalMilliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "chat request for {Model}: {Messages} messages, {Images} images, {Videos} videos, n={N}, stream={Stream}")]
    private static partial void LogReceived(ILogger logger, string model, int messages, int images, int videos, int n, bool stream);

    [LoggerMessage(Level = LogLevel.Information, Message = "chat request content: {Content}")]
    private static partial void LogContent(ILogger logger, string content);

    [LoggerMessage(Level = LogLevel.Information, Message = "chat request completed: {PromptTokens} prompt tokens, {CompletionTokens} completion tokens, finish {FinishReasons}, {ElapsedMs:F1} ms")]
    private static partial void LogCompleted(ILogger logger, int promptTokens, int completionTokens, string finishReasons, double elapsedMs);
}
