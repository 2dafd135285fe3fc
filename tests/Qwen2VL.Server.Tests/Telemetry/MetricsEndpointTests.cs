using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Qwen2VL.Engine;
using Qwen2VL.Engine.Telemetry;
using Qwen2VL.Engine.Tests.Support;
using Qwen2VL.Gateway.Telemetry;
using Xunit.Abstractions;

namespace Qwen2VL.Server.Tests.Telemetry;

/// <summary>
/// A real engine run on the fixture model and a gateway request under the server's telemetry wiring, asserted on the
/// Prometheus exporter's own output. In the model's collection: meters are matched by name process-wide, so runs of
/// other tests in parallel would add to these counts.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class MetricsEndpointTests
{
    private const int NewTokens = 4;

    private readonly TinyModel _model;
    private readonly ITestOutputHelper _output;

    public MetricsEndpointTests(TinyModel model, ITestOutputHelper output)
    {
        _model = model;
        _output = output;
    }

    [Fact]
    public async Task Scrape_AfterThreeEngineRunsOfOneImagePrompt_ReportsVllmStyleMetrics()
    {
        var prompt = GoldenPrompts.All().First(p => p.Media.Count == 1 && !p.Media[0].IsVideo);
        int length = prompt.Tokens.Length;
        await using var host = await TelemetryTestHost.StartAsync();
        await using (var engine = Engine(host))
        {
            await EngineRun.CollectAsync(engine, prompt.Request("a", NewTokens, keepCache: true));
            // Same key: the kept cache serves all but the last prompt token, so the image is not encoded again.
            await EngineRun.CollectAsync(engine, prompt.Request("a", NewTokens, keepCache: true));
            // Another key: no kept cache, but the image's vision features come from the vision cache.
            await EngineRun.CollectAsync(engine, prompt.Request("b", NewTokens));

            var scrape = await ScrapeAsync(host);

            Assert.Equal(3 * length, scrape.Sum("qwen2vl_prompt_tokens_total"));
            Assert.Equal(3 * NewTokens, scrape.Sum("qwen2vl_generation_tokens_total"));
            Assert.Equal(3, scrape.Sum("qwen2vl_request_success_total", ("finished_reason", "length")));
            Assert.Equal(3 * length, scrape.Sum("qwen2vl_prefix_cache_queries_total"));
            Assert.Equal(length - 1, scrape.Sum("qwen2vl_prefix_cache_hits_total"));
            Assert.Equal(2, scrape.Sum("qwen2vl_vision_cache_queries_total"));
            Assert.Equal(1, scrape.Sum("qwen2vl_vision_cache_hits_total"));
            Assert.Equal(3, scrape.Sum("qwen2vl_time_to_first_token_seconds_count"));
            Assert.Equal(3, scrape.Sum("qwen2vl_request_queue_time_seconds_count"));
            Assert.Equal(3, scrape.Sum("qwen2vl_request_prefill_time_seconds_count"));
            Assert.Equal(3, scrape.Sum("qwen2vl_e2e_request_latency_seconds_count"));
            Assert.Equal(3 * (NewTokens - 1), scrape.Sum("qwen2vl_inter_token_latency_seconds_count"));
            Assert.True(scrape.Sum("qwen2vl_e2e_request_latency_seconds_sum") > 0);
            Assert.Equal(0, scrape.Sum("qwen2vl_num_requests_running"));
            Assert.Equal(0, scrape.Sum("qwen2vl_num_requests_waiting"));
            // The kept cache of "a" still holds its reservation.
            Assert.InRange(scrape.Sum("qwen2vl_kv_cache_usage_perc"), 0.0001, 1);
        }
    }

    [Fact]
    public async Task Scrape_AfterPreemption_CountsIt()
    {
        var prompt = GoldenPrompts.All().First(p => p.Media.Count == 0);
        await using var host = await TelemetryTestHost.StartAsync();
        // Room for both prompts plus a few tokens each, not for both answers: the newer sequence is preempted.
        int tokens = prompt.ExpectedTokens.Length;
        var options = new EngineOptions { KvCacheTokens = (2 * prompt.Tokens.Length) + tokens + 4, KvGrowthTokens = 2 };
        await using (var engine = Engine(host, options))
        {
            await Task.WhenAll(
                EngineRun.CollectAsync(engine, prompt.Request("a", tokens)),
                EngineRun.CollectAsync(engine, prompt.Request("b", tokens)));

            var scrape = await ScrapeAsync(host);

            Assert.True(engine.Snapshot().Preemptions > 0, "expected at least one preemption");
            Assert.Equal(engine.Snapshot().Preemptions, scrape.Sum("qwen2vl_num_preemptions_total"));
            Assert.Equal(2, scrape.Sum("qwen2vl_request_success_total", ("finished_reason", "length")));
        }
    }

    [Fact]
    public async Task Scrape_AfterStatelessReuse_CountsTheReusedTokensAsPrefixHits()
    {
        var turn1 = GoldenPrompts.All().Single(p => p.Name.EndsWith("/turn1_0", StringComparison.Ordinal));
        var turn2 = GoldenPrompts.All().Single(p => p.Name.EndsWith("/turn2_0", StringComparison.Ordinal));
        await using var host = await TelemetryTestHost.StartAsync();
        await using (var engine = Engine(host))
        {
            await EngineRun.CollectAsync(engine, turn1.Request("t/prefix/1", NewTokens, keepCache: true));
            // A stateless request names the previous request's key; its own key holds nothing.
            await EngineRun.CollectAsync(engine, turn2.Request("t/prefix/2", NewTokens, keepCache: true) with { ReuseKeys = ["t/prefix/1"] });

            var scrape = await ScrapeAsync(host);

            Assert.Equal(turn1.Tokens.Length + turn2.Tokens.Length, scrape.Sum("qwen2vl_prefix_cache_queries_total"));
            // Turn 2 starts with the turn-1 prompt and the golden answer; the first answer tokens were generated and
            // all but the last fed back.
            Assert.Equal(turn1.Tokens.Length + NewTokens - 1, scrape.Sum("qwen2vl_prefix_cache_hits_total"));
        }
    }

    [Fact]
    public async Task Scrape_LatencyHistograms_UseVllmBucketBoundaries()
    {
        var prompt = GoldenPrompts.All().First(p => p.Media.Count == 0);
        await using var host = await TelemetryTestHost.StartAsync();
        await using (var engine = Engine(host))
        {
            await EngineRun.CollectAsync(engine, prompt.Request("s", 2));
        }

        var scrape = await ScrapeAsync(host);

        AssertBuckets(scrape, EngineMetricNames.TimeToFirstToken, EngineMetricBuckets.TimeToFirstToken);
        AssertBuckets(scrape, EngineMetricNames.InterTokenLatency, EngineMetricBuckets.InterTokenLatency);
        AssertBuckets(scrape, EngineMetricNames.EndToEndLatency, EngineMetricBuckets.RequestLatency);
        Assert.Equal(1, scrape.Sum(EngineMetricNames.TimeToFirstToken + "_bucket", ("le", "+Inf")));
    }

    [Fact]
    public async Task Scrape_AfterChatRequests_CountsTenantUsage()
    {
        await using var host = await TelemetryTestHost.StartAsync();

        using (var first = await host.ChatAsync("hello"))
        using (var second = await host.ChatAsync("again"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        var scrape = await ScrapeAsync(host);

        var tenant = (GatewayMetricNames.TenantTag, TelemetryTestHost.Tenant);
        Assert.Equal(2 * FixedChatBackend.PromptTokens, scrape.Sum(GatewayMetricNames.TenantPromptTokens, tenant));
        Assert.Equal(2 * FixedChatBackend.CompletionTokens, scrape.Sum(GatewayMetricNames.TenantGenerationTokens, tenant));
        Assert.Equal(2, scrape.Sum(GatewayMetricNames.TenantRequests, tenant, (GatewayMetricNames.OutcomeTag, "success")));
    }

    private InferenceEngine Engine(TelemetryTestHost host, EngineOptions? options = null) =>
        new(_model.Stage, TinyModel.EosTokenIds, options ?? new EngineOptions(), NullLogger<InferenceEngine>.Instance,
            metrics: host.Services.GetRequiredService<EngineMetrics>());

    private async Task<PrometheusText> ScrapeAsync(TelemetryTestHost host)
    {
        using var response = await host.Client.GetAsync("/metrics");
        string text = await response.Content.ReadAsStringAsync();
        _output.WriteLine(text);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return PrometheusText.Parse(text);
    }

    private static void AssertBuckets(PrometheusText scrape, string histogram, IReadOnlyList<double> expected)
    {
        var bounds = scrape.Find(histogram + "_bucket")
            .Select(s => s.Labels["le"])
            .Where(le => le != "+Inf")
            .Select(le => double.Parse(le, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.Equal(expected, bounds);
    }
}
