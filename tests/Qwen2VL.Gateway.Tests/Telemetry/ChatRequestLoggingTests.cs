using System.Text;
using Microsoft.AspNetCore.Http;
using Qwen2VL.Gateway.Auth;
using Qwen2VL.Gateway.Http;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Gateway.Telemetry;
using Qwen2VL.Gateway.Tests.Http;

namespace Qwen2VL.Gateway.Tests.Telemetry;

/// <summary>What <see cref="ChatCompletionsEndpoint"/> logs: ids as scopes always, content only when allowed.</summary>
public sealed class ChatRequestLoggingTests
{
    private const string ApiKey = "sk-logging-test-key";
    private const string Secret = "the password is swordfish";

    [Fact]
    public async Task HandleAsync_ContentLoggingOff_LogsIdsInScopeButNoContentOrKey()
    {
        var logger = new CapturingLogger<ChatCompletionsEndpoint>();

        var context = await RunAsync(logger, new GatewayLoggingOptions(), session: "session-1");

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        var completed = Assert.Single(logger.Entries, e => e.Message.StartsWith("chat request completed", StringComparison.Ordinal));
        Assert.Contains(completed.ScopeValues, v => v.Key == "TenantId" && Equals(v.Value, "tenant-log"));
        Assert.Contains(completed.ScopeValues, v => v.Key == "SessionId" && Equals(v.Value, "session-1"));
        Assert.Contains(completed.ScopeValues, v => v.Key == "RequestId" && ((string)v.Value!).StartsWith("chatcmpl-", StringComparison.Ordinal));
        Assert.Contains(logger.Entries, e => e.Message.StartsWith("chat request for qwen2-vl-tiny: 1 messages, 1 images", StringComparison.Ordinal));
        var text = logger.Entries.SelectMany(e => e.AllText()).ToList();
        Assert.DoesNotContain(text, t => t.Contains("swordfish", StringComparison.Ordinal));
        Assert.DoesNotContain(text, t => t.Contains(ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task HandleAsync_ContentLoggingOn_LogsMessageTextWithImagePlaceholder()
    {
        var logger = new CapturingLogger<ChatCompletionsEndpoint>();

        await RunAsync(logger, new GatewayLoggingOptions { IncludeContent = true }, session: null);

        var content = Assert.Single(logger.Entries, e => e.Message.StartsWith("chat request content", StringComparison.Ordinal));
        Assert.Contains("user: " + Secret + "[image]", content.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logger.Entries.SelectMany(e => e.AllText()), t => t.Contains(ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public void Render_LongConversation_IsCutAtTheLimit()
    {
        var messages = Enumerable.Range(0, 100)
            .Select(i => new ChatMessage("user", new ContentPart[] { new TextPart(new string('x', 50)) }))
            .ToList();

        string text = ChatContentSummary.Render(messages, maxChars: 120);

        Assert.Equal(121, text.Length);
        Assert.EndsWith("…", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Shape_MixedContent_CountsMessagesImagesAndVideos()
    {
        var messages = new[]
        {
            new ChatMessage("user", new ContentPart[] { new TextPart("a"), new ImagePart("data:,", null), new ImagePart("data:,", null) }),
            new ChatMessage("user", new ContentPart[] { new VideoPart("https://example.invalid/v.mp4", null) }),
        };

        Assert.Equal((2, 2, 1), ChatContentSummary.Shape(messages));
    }

    private static async Task<HttpContext> RunAsync(CapturingLogger<ChatCompletionsEndpoint> logger, GatewayLoggingOptions options, string? session)
    {
        var endpoint = new ChatCompletionsEndpoint(new ScriptedBackend(), new TenantAuthenticator(new OneKey(), new GatewayAuthOptions()),
            new ChatRequestLimits(), logger, TimeProvider.System, metrics: null, logging: options);
        const string image = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
        string body = $$$"""{"model":"qwen2-vl-tiny","messages":[{"role":"user","content":[{"type":"text","text":"{{{Secret}}}"},{"type":"image_url","image_url":{"url":"{{{image}}}"}}]}]}""";
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Headers.Authorization = "Bearer " + ApiKey;
        if (session is not null)
        {
            context.Request.Headers[ChatCompletionsEndpoint.SessionHeader] = session;
        }

        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        context.Response.Body = new MemoryStream();
        await endpoint.HandleAsync(context);
        return context;
    }

    private sealed class OneKey : ITenantResolver
    {
        public ValueTask<string?> ResolveAsync(string apiKey, CancellationToken cancellationToken) =>
            ValueTask.FromResult(apiKey == ApiKey ? "tenant-log" : null);
    }
}
