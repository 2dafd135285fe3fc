namespace Qwen2VL.Engine.Telemetry;

/// <summary>
/// Instrument names of <see cref="EngineMetrics"/>. They follow vLLM's metric names with a <c>qwen2vl_</c> prefix
/// instead of <c>vllm:</c>, so dashboards written for vLLM work after a prefix substitution.
/// </summary>
public static class EngineMetricNames
{
    /// <summary>Histogram (seconds): submission to the first generated token.</summary>
    public const string TimeToFirstToken = "qwen2vl_time_to_first_token_seconds";

    /// <summary>Histogram (seconds): between two consecutive tokens of one sequence.</summary>
    public const string InterTokenLatency = "qwen2vl_inter_token_latency_seconds";

    /// <summary>Histogram (seconds): submission to the last token of a finished request.</summary>
    public const string EndToEndLatency = "qwen2vl_e2e_request_latency_seconds";

    /// <summary>Histogram (seconds): submission to first admission.</summary>
    public const string QueueTime = "qwen2vl_request_queue_time_seconds";

    /// <summary>Histogram (seconds): first admission to the first token.</summary>
    public const string PrefillTime = "qwen2vl_request_prefill_time_seconds";

    /// <summary>Counter: prompt tokens of requests that produced a first token (cached ones included, as vLLM).</summary>
    public const string PromptTokens = "qwen2vl_prompt_tokens_total";

    /// <summary>Counter: generated tokens.</summary>
    public const string GenerationTokens = "qwen2vl_generation_tokens_total";

    /// <summary>Counter: prompt tokens looked up in kept KV caches.</summary>
    public const string PrefixCacheQueries = "qwen2vl_prefix_cache_queries_total";

    /// <summary>Counter: prompt tokens served from kept KV caches.</summary>
    public const string PrefixCacheHits = "qwen2vl_prefix_cache_hits_total";

    /// <summary>Counter: images and videos looked up in the vision embedding cache.</summary>
    public const string VisionCacheQueries = "qwen2vl_vision_cache_queries_total";

    /// <summary>Counter: images and videos whose vision tower output came from the cache.</summary>
    public const string VisionCacheHits = "qwen2vl_vision_cache_hits_total";

    /// <summary>Counter: running sequences preempted to free KV memory.</summary>
    public const string Preemptions = "qwen2vl_num_preemptions_total";

    /// <summary>Counter: finished requests, tagged <see cref="FinishedReasonTag"/>.</summary>
    public const string RequestSuccess = "qwen2vl_request_success_total";

    /// <summary>Gauge: sequences running (admitted, holding KV memory).</summary>
    public const string RequestsRunning = "qwen2vl_num_requests_running";

    /// <summary>Gauge: requests waiting for admission.</summary>
    public const string RequestsWaiting = "qwen2vl_num_requests_waiting";

    /// <summary>Gauge: fraction of the KV token budget reserved, 0 to 1 (1 means 100 percent, as vLLM).</summary>
    public const string KvCacheUsage = "qwen2vl_kv_cache_usage_perc";

    /// <summary>Tag of <see cref="RequestSuccess"/>: stop, length or abort (vLLM's values).</summary>
    public const string FinishedReasonTag = "finished_reason";

    /// <summary>Tag of the gauges: which engine of the process (there is usually one).</summary>
    public const string EngineTag = "engine";
}
