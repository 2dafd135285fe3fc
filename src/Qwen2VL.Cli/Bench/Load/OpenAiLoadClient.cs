using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;

namespace Qwen2VL.Cli.Bench.Load;

/// <summary>Streams chat completions through the official OpenAI SDK, images as data URLs, sessions by header.</summary>
internal sealed class OpenAiLoadClient : ILoadClient
{
    private readonly ChatClient _chat;
    private readonly SessionHeaderPolicy _session = new();

    public OpenAiLoadClient(LoadSettings settings, string model)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(settings.Server, "/v1"),
            NetworkTimeout = settings.Duration + LoadSettings.DrainLimit,
            // A retried 429 or 5xx would hide exactly what a load test is for.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        options.AddPolicy(_session, PipelinePosition.PerCall);
        _chat = new ChatClient(model, new ApiKeyCredential(settings.ApiKey), options);
    }

    public async Task<RequestRecord> SendAsync(LoadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parts = new List<ChatMessageContentPart>();
        if (request.Image is { } png)
        {
            parts.Add(ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(png), "image/png"));
        }

        parts.Add(ChatMessageContentPart.CreateTextPart(request.Text));
        var options = new ChatCompletionOptions { MaxOutputTokenCount = request.MaxTokens };
        _session.SessionId = request.SessionId;
        var timer = new ChunkTimer();
        int? outputTokens = null;
        bool finished = false;
        try
        {
            await foreach (var update in _chat.CompleteChatStreamingAsync([new UserChatMessage(parts)], options, cancellationToken).ConfigureAwait(false))
            {
                if (update.ContentUpdate.Any(p => !string.IsNullOrEmpty(p.Text)))
                {
                    timer.Chunk();
                }

                finished |= update.FinishReason is not null;
                if (update.Usage is { } usage)
                {
                    outputTokens = usage.OutputTokenCount;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return RequestRecord.Unfinished(timer.ElapsedSeconds);
        }
        catch (Exception e) when (e is ClientResultException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
        {
            return RequestRecord.Failed(LoadErrors.Classify(e), timer.ElapsedSeconds);
        }

        return finished
            ? RequestRecord.Completed(timer, outputTokens ?? timer.Chunks)
            : RequestRecord.Failed(LoadErrors.IncompleteStream, timer.ElapsedSeconds);
    }
}
