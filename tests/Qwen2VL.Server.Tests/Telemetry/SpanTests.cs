using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Qwen2VL.Engine;
using Qwen2VL.Engine.Telemetry;
using Qwen2VL.Engine.Tests.Support;
using Qwen2VL.Gateway.Telemetry;

namespace Qwen2VL.Server.Tests.Telemetry;

/// <summary>An activity listener on the project's source sees the GenAI attributes of gateway and engine spans.</summary>
[Collection(TinyModelCollection.Name)]
public sealed class SpanTests : IDisposable
{
    private readonly TinyModel _model;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public SpanTests(TinyModel model)
    {
        _model = model;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EngineActivity.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task Generate_EngineRequest_SpanHasGenAiUsageAndFinishReason()
    {
        var prompt = GoldenPrompts.All().First(p => p.Media.Count == 1);
        string tenant = "span-tenant-" + Guid.NewGuid().ToString("N");
        await using (var engine = new InferenceEngine(_model.Stage, TinyModel.EosTokenIds, new EngineOptions(), NullLogger<InferenceEngine>.Instance))
        {
            await EngineRun.CollectAsync(engine, prompt.Request("s", 3, tenant: tenant));
        }

        var span = Assert.Single(_stopped, a => Equals(a.GetTagItem(Engine.Telemetry.GenAiAttributes.TenantId), tenant));
        Assert.Equal(EngineActivity.GenerateSpanName, span.OperationName);
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal(prompt.Tokens.Length, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(3, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(new[] { "length" }, span.GetTagItem("gen_ai.response.finish_reasons"));
        Assert.Equal(3, span.GetTagItem("gen_ai.request.max_tokens"));
        Assert.Equal(1, span.GetTagItem("qwen2vl.media.count"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Fact]
    public async Task Generate_RejectedRequest_SpanIsErrorWithCode()
    {
        var prompt = GoldenPrompts.All().First(p => p.Media.Count == 0);
        string tenant = "span-tenant-" + Guid.NewGuid().ToString("N");
        await using var engine = new InferenceEngine(_model.Stage, TinyModel.EosTokenIds, new EngineOptions { KvCacheTokens = prompt.Tokens.Length - 1 }, NullLogger<InferenceEngine>.Instance);

        await Assert.ThrowsAsync<EngineRejectedException>(() => EngineRun.CollectAsync(engine, prompt.Request("s", 3, tenant: tenant)));

        var span = Assert.Single(_stopped, a => Equals(a.GetTagItem(Engine.Telemetry.GenAiAttributes.TenantId), tenant));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("kv_budget_exceeded", span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task Chat_GatewayRequest_SpanHasModelUsageAndNoContent()
    {
        await using var host = await TelemetryTestHost.StartAsync();
        string session = "span-session-" + Guid.NewGuid().ToString("N");

        using var response = await host.ChatAsync("a secret prompt", session);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var span = Assert.Single(_stopped, a => Equals(a.GetTagItem("gen_ai.conversation.id"), session));
        Assert.Equal("chat qwen2-vl-tiny", span.DisplayName);
        Assert.Equal("qwen2-vl-tiny", span.GetTagItem("gen_ai.request.model"));
        Assert.Equal(8, span.GetTagItem("gen_ai.request.max_tokens"));
        Assert.Equal(FixedChatBackend.PromptTokens, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(FixedChatBackend.CompletionTokens, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(new[] { "stop" }, span.GetTagItem("gen_ai.response.finish_reasons"));
        Assert.Equal(TelemetryTestHost.Tenant, span.GetTagItem(Gateway.Telemetry.GenAiAttributes.TenantId));
        Assert.StartsWith("chatcmpl-", (string)span.GetTagItem("gen_ai.response.id")!, StringComparison.Ordinal);
        // The gateway span is a child of ASP.NET Core's request span, so one trace covers the request.
        Assert.NotNull(span.ParentId);
        Assert.DoesNotContain(span.TagObjects, t => t.Value is string s && s.Contains("secret", StringComparison.Ordinal));
    }

    public void Dispose() => _listener.Dispose();
}
