using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Qwen2VL.Gateway.Auth;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.Limits;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Gateway.Telemetry;
using Qwen2VL.Gateway.Validation;

namespace Qwen2VL.Gateway.Http;

/// <summary>
/// <c>POST /v1/chat/completions</c>: authenticates, validates, renders tools into the prompt, runs one backend call
/// per choice and answers as one JSON body or as server-sent events.
/// </summary>
public sealed partial class ChatCompletionsEndpoint
{
    public const string SessionHeader = "X-Session-Id";
    public const string IdempotencyHeader = "Idempotency-Key";

    private readonly IChatBackend _backend;
    private readonly TenantAuthenticator _authenticator;
    private readonly ChatRequestLimits _limits;
    private readonly ILogger<ChatCompletionsEndpoint> _logger;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics? _metrics;
    private readonly GatewayLoggingOptions _logging;
    private readonly ITenantLimiter _tenantLimiter;

    /// <param name="metrics">Per-tenant usage counters; null records none.</param>
    /// <param name="logging">What may be logged; null logs no content.</param>
    /// <param name="tenantLimiter">Per-tenant rate, stream and size limits; null admits everything.</param>
    public ChatCompletionsEndpoint(IChatBackend backend, TenantAuthenticator authenticator, ChatRequestLimits limits,
        ILogger<ChatCompletionsEndpoint> logger, TimeProvider time, GatewayMetrics? metrics = null, GatewayLoggingOptions? logging = null,
        ITenantLimiter? tenantLimiter = null)
    {
        _tenantLimiter = tenantLimiter ?? UnlimitedTenantLimiter.Instance;
        _backend = backend;
        _authenticator = authenticator;
        _limits = limits;
        _logger = logger;
        _time = time;
        _metrics = metrics;
        _logging = logging ?? new GatewayLoggingOptions();
    }

    /// <summary>Largest accepted request body; images usually arrive inline as base64.</summary>
    public long MaxBodyBytes { get; init; } = 64L * 1024 * 1024;

    public async Task HandleAsync(HttpContext context)
    {
        var cancellation = context.RequestAborted;
        var events = new ServerSentEvents(context.Response);
        long started = _time.GetTimestamp();
        string id = "chatcmpl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        using var activity = GatewayActivity.StartChat(id);
        string? tenant = null;
        IDisposable? scope = null;
        try
        {
            tenant = await _authenticator.AuthenticateAsync(context.Request, cancellation).ConfigureAwait(false);
            string? sessionId = HeaderOrNull(context.Request, SessionHeader);
            scope = ChatRequestLog.BeginRequestScope(_logger, id, tenant, sessionId);
            byte[] body = await ReadBodyAsync(context.Request, cancellation).ConfigureAwait(false);
            var request = ChatCompletionRequestParser.Parse(body, _limits);
            GatewayActivity.SetRequest(activity, tenant, request, sessionId);
            ChatRequestLog.Received(_logger, _logging, request);
            var calls = BuildCalls(tenant, request, sessionId, HeaderOrNull(context.Request, IdempotencyHeader));
            var permit = await _tenantLimiter.AdmitAsync(tenant, RequestCost.Of(request.Messages, request.MaxTokens, request.N), cancellation).ConfigureAwait(false);
            await using var releaseOnFailure = permit.ConfigureAwait(false);
            calls = calls.Select(call => call with { MaxContextTokens = permit.MaxContextTokens }).ToList();
            long created = _time.GetUtcNow().ToUnixTimeSeconds();
            if (sessionId is not null)
            {
                context.Response.Headers[SessionHeader] = sessionId;
            }

            var result = request.Stream
                ? await StreamAsync(events, request, calls, id, created, cancellation).ConfigureAwait(false)
                : await RespondAsync(context, request, calls, id, created, cancellation).ConfigureAwait(false);
            await permit.ReleaseAsync(result.Chargeable).ConfigureAwait(false);
            GatewayActivity.SetResult(activity, request.Model, result.PromptTokens, result.CompletionTokens, result.FinishReasons);
            _metrics?.RecordCompleted(tenant, request.Model, result.PromptTokens, result.CompletionTokens);
            ChatRequestLog.Completed(_logger, result.PromptTokens, result.CompletionTokens, result.FinishReasons, _time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            activity?.SetTag("error.type", "cancelled");
            RecordRequest(tenant, RequestOutcome.Cancelled);
            throw;
        }
        catch (Exception e)
        {
            var error = ToOpenAiError(e);
            GatewayActivity.Fail(activity, error);
            RecordRequest(tenant, RequestOutcome.Error);
            if (error.StatusCode >= 500)
            {
                LogServerError(_logger, e, error.StatusCode);
            }

            if (events.Started)
            {
                // Headers are gone: report in the stream, then close it the way clients expect.
                await events.WriteAsync(OpenAiErrorWriter.Body(error), OpenAiJsonContext.Relaxed.ErrorBodyWire, cancellation).ConfigureAwait(false);
                await events.WriteDoneAsync(cancellation).ConfigureAwait(false);
            }
            else
            {
                await OpenAiErrorWriter.WriteAsync(context, error).ConfigureAwait(false);
            }
        }
        finally
        {
            scope?.Dispose();
        }
    }

    /// <summary>Counts an authenticated request that did not complete (unauthenticated ones have no tenant to charge).</summary>
    private void RecordRequest(string? tenant, RequestOutcome outcome)
    {
        if (tenant is not null)
        {
            _metrics?.RecordRequest(tenant, outcome);
        }
    }

    private async Task<ChatResult> RespondAsync(HttpContext context, ChatCompletionRequest request, IReadOnlyList<ChatCall> calls, string id, long created, CancellationToken cancellation)
    {
        var answers = await Task.WhenAll(calls.Select(call => CollectAsync(call, cancellation))).ConfigureAwait(false);
        var choices = new List<ChoiceWire>(answers.Length);
        int prompt = 0, completion = 0, cached = 0;
        for (int i = 0; i < answers.Length; i++)
        {
            var (text, logprobs, done) = answers[i];
            bool parseTools = request.Tools.Count > 0 && request.ToolChoice.Mode != "none";
            var parsed = parseTools ? ToolCallParser.Parse(text) : new ParsedAnswer(text, Array.Empty<ToolCall>());
            var toolCalls = parsed.ToolCalls.Count == 0 ? null
                : parsed.ToolCalls.Select(c => new ToolCallWire(c.Id, "function", new FunctionCallWire(c.Name, c.ArgumentsJson))).ToList();
            string finish = toolCalls is not null ? "tool_calls" : done.FinishReason;
            choices.Add(new ChoiceWire(i, new MessageWire("assistant", parsed.Content, toolCalls),
                request.Logprobs ? new LogprobsWire(logprobs.Select(ToWire).ToList()) : null, finish));
            prompt = Math.Max(prompt, done.PromptTokens);
            completion += done.CompletionTokens;
            cached = Math.Max(cached, done.CachedPromptTokens);
        }

        var response = new ChatCompletionResponse(id, "chat.completion", created, request.Model, choices,
            new UsageWire(prompt, completion, prompt + completion, new PromptTokensDetailsWire(cached)));
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, response, OpenAiJsonContext.Relaxed.ChatCompletionResponse, cancellation).ConfigureAwait(false);
        return new ChatResult(prompt, completion, cached, choices.Select(c => c.FinishReason).ToList(), answers.All(a => a.Done.Replayed));
    }

    private async Task<(string Text, List<TokenLogprob> Logprobs, ChatCompleted Done)> CollectAsync(ChatCall call, CancellationToken cancellation)
    {
        var text = new StringBuilder();
        var logprobs = new List<TokenLogprob>();
        await foreach (var item in _backend.ChatAsync(call, cancellation).ConfigureAwait(false))
        {
            switch (item)
            {
                case ChatDelta delta:
                    text.Append(delta.Text);
                    if (delta.Logprobs is not null)
                    {
                        logprobs.AddRange(delta.Logprobs);
                    }

                    break;
                case ChatCompleted done:
                    return (text.ToString(), logprobs, done);
            }
        }

        throw new ChatBackendException(ChatFailure.Internal, "the answer stream ended without a final event");
    }

    private async Task<ChatResult> StreamAsync(ServerSentEvents events, ChatCompletionRequest request, IReadOnlyList<ChatCall> calls, string id, long created, CancellationToken cancellation)
    {
        // Each choice runs concurrently; their events are merged in arrival order.
        var merged = Channel.CreateUnbounded<(int Choice, ChatEvent? Event, Exception? Error)>();
        var producers = calls.Select((call, choice) => Task.Run(async () =>
        {
            try
            {
                await foreach (var item in _backend.ChatAsync(call, cancellation).ConfigureAwait(false))
                {
                    await merged.Writer.WriteAsync((choice, item, null), cancellation).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                await merged.Writer.WriteAsync((choice, null, e), CancellationToken.None).ConfigureAwait(false);
            }
        }, cancellation)).ToArray();
        _ = Task.WhenAll(producers).ContinueWith(_ => merged.Writer.TryComplete(), TaskScheduler.Default);

        bool parseTools = request.Tools.Count > 0 && request.ToolChoice.Mode != "none";
        var filters = calls.Select(_ => parseTools ? new ToolCallStreamFilter() : null).ToArray();
        var roleSent = new bool[calls.Count];
        var finishReasons = new string[calls.Count];
        int prompt = 0, completion = 0, cached = 0, finished = 0, replayed = 0;
        await foreach (var (choice, item, error) in merged.Reader.ReadAllAsync(cancellation).ConfigureAwait(false))
        {
            if (error is not null)
            {
                throw error;
            }

            if (!roleSent[choice])
            {
                roleSent[choice] = true;
                await WriteChunkAsync(events, id, created, request.Model, new ChunkChoiceWire(choice, new DeltaWire(Role: "assistant", Content: ""), null, null), cancellation).ConfigureAwait(false);
            }

            switch (item)
            {
                case ChatDelta delta:
                    string content = filters[choice]?.Push(delta.Text) ?? delta.Text;
                    var logprobs = request.Logprobs && delta.Logprobs is not null ? new LogprobsWire(delta.Logprobs.Select(ToWire).ToList()) : null;
                    if (content.Length > 0 || logprobs is not null)
                    {
                        await WriteChunkAsync(events, id, created, request.Model, new ChunkChoiceWire(choice, new DeltaWire(Content: content), logprobs, null), cancellation).ConfigureAwait(false);
                    }

                    break;
                case ChatCompleted done:
                    string finish = done.FinishReason;
                    if (filters[choice] is { } filter)
                    {
                        var rest = filter.Finish();
                        if (!string.IsNullOrEmpty(rest.Content))
                        {
                            await WriteChunkAsync(events, id, created, request.Model, new ChunkChoiceWire(choice, new DeltaWire(Content: rest.Content), null, null), cancellation).ConfigureAwait(false);
                        }

                        if (rest.ToolCalls.Count > 0)
                        {
                            var wire = rest.ToolCalls.Select((c, index) => new ToolCallWire(c.Id, "function", new FunctionCallWire(c.Name, c.ArgumentsJson), index)).ToList();
                            await WriteChunkAsync(events, id, created, request.Model, new ChunkChoiceWire(choice, new DeltaWire(ToolCalls: wire), null, null), cancellation).ConfigureAwait(false);
                            finish = "tool_calls";
                        }
                    }

                    await WriteChunkAsync(events, id, created, request.Model, new ChunkChoiceWire(choice, new DeltaWire(), null, finish), cancellation).ConfigureAwait(false);
                    finishReasons[choice] = finish;
                    prompt = Math.Max(prompt, done.PromptTokens);
                    completion += done.CompletionTokens;
                    cached = Math.Max(cached, done.CachedPromptTokens);
                    finished++;
                    replayed += done.Replayed ? 1 : 0;
                    break;
            }
        }

        if (finished != calls.Count)
        {
            throw new ChatBackendException(ChatFailure.Internal, $"{calls.Count - finished} of {calls.Count} answer streams ended without a final event");
        }

        if (request.IncludeUsage)
        {
            var usage = new UsageWire(prompt, completion, prompt + completion, new PromptTokensDetailsWire(cached));
            await events.WriteAsync(new ChatCompletionChunk(id, "chat.completion.chunk", created, request.Model, Array.Empty<ChunkChoiceWire>(), usage),
                OpenAiJsonContext.Relaxed.ChatCompletionChunk, cancellation).ConfigureAwait(false);
        }

        await events.WriteDoneAsync(cancellation).ConfigureAwait(false);
        return new ChatResult(prompt, completion, cached, finishReasons, replayed == calls.Count);
    }

    private static Task WriteChunkAsync(ServerSentEvents events, string id, long created, string model, ChunkChoiceWire choice, CancellationToken cancellation) =>
        events.WriteAsync(new ChatCompletionChunk(id, "chat.completion.chunk", created, model, new[] { choice }), OpenAiJsonContext.Relaxed.ChatCompletionChunk, cancellation);

    private static IReadOnlyList<ChatCall> BuildCalls(string tenant, ChatCompletionRequest request, string? sessionId, string? idempotencyKey)
    {
        if (sessionId is not null && request.N > 1)
        {
            throw OpenAiException.BadRequest("n > 1 cannot continue a server-side session: a session has one history", "n");
        }

        var messages = ToolPromptFormatter.Apply(request);
        return Enumerable.Range(0, request.N).Select(choice => new ChatCall(
            tenant,
            request.Model,
            messages,
            new ChatSampling(request.Temperature, request.TopP, request.TopK, request.MinP, request.RepetitionPenalty,
                request.PresencePenalty, request.FrequencyPenalty,
                request.Seed is { } seed ? seed + choice : null,
                request.MaxTokens, request.Stop, request.Logprobs, request.TopLogprobs),
            request.MediaOverrides,
            sessionId,
            idempotencyKey is null ? null : request.N == 1 ? idempotencyKey : $"{idempotencyKey}#{choice}")).ToList();
    }

    private async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellation)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge(request.ContentLength.Value);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellation).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw TooLarge(buffer.Length + read);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private OpenAiException TooLarge(long bytes) =>
        new(413, "invalid_request_error", $"the request body is larger than {MaxBodyBytes} bytes (at least {bytes})", code: "request_too_large");

    private static string? HeaderOrNull(HttpRequest request, string name) =>
        ConversationRules.CheckRequestKey(request.Headers[name], name);

    private static OpenAiException ToOpenAiError(Exception e) => e switch
    {
        OpenAiException openAi => openAi,
        ChatBackendException backend => OpenAiErrorWriter.FromBackend(backend),
        BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
            new OpenAiException(413, "invalid_request_error", "the request body is too large", code: "request_too_large"),
        BadHttpRequestException bad => new OpenAiException(bad.StatusCode, "invalid_request_error", bad.Message),
        _ => new OpenAiException(500, "server_error", "the server failed to process the request", inner: e),
    };

    private static TokenLogprobWire ToWire(TokenLogprob token) => new(
        token.Token, token.Logprob, Utf8(token.Token),
        token.Top.Select(t => new TopLogprobWire(t.Token, t.Logprob, Utf8(t.Token))).ToList());

    private static int[] Utf8(string text) => Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();

    [LoggerMessage(Level = LogLevel.Error, Message = "chat completion failed with status {Status}")]
    private static partial void LogServerError(ILogger logger, Exception exception, int status);
}
