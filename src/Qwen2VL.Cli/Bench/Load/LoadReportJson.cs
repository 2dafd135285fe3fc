using System.Text.Json;

namespace Qwen2VL.Cli.Bench.Load;

/// <summary>Writes a load report as one JSON object (durations in seconds, latencies in ms, memory in bytes).</summary>
internal static class LoadReportJson
{
    public static async Task WriteAsync(string path, LoadReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        await using var file = File.Create(path);
        await using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        var s = report.Settings;
        json.WriteStartObject();
        json.WriteString("api", s.Api == LoadApi.OpenAi ? "openai" : "grpc");
        json.WriteString("model", report.Model);
        json.WriteNumber("concurrency", s.Concurrency);
        json.WriteNumber("duration_s", s.Duration.TotalSeconds);
        json.WriteNumber("warmup_s", s.Warmup.TotalSeconds);
        json.WriteNumber("max_tokens", s.MaxTokens);
        json.WriteNumber("image_ratio", s.ImageRatio);
        json.WriteNumber("session_turns_per_session", s.SessionTurns);
        json.WriteNumber("elapsed_s", report.ElapsedSeconds);
        json.WriteNumber("requests_started", report.Started);
        json.WriteNumber("requests_ok", report.Completed);
        json.WriteNumber("requests_failed", report.Failed);
        json.WriteNumber("requests_unfinished", report.Unfinished);
        json.WriteNumber("requests_with_image", report.WithImage);
        json.WriteNumber("requests_session_turns", report.SessionTurns);
        json.WriteStartObject("errors");
        foreach (var (error, count) in report.Errors)
        {
            json.WriteNumber(error, count);
        }

        json.WriteEndObject();
        json.WriteNumber("output_tokens", report.OutputTokens);
        json.WriteNumber("output_tokens_per_s", report.OutputTokensPerSecond);
        json.WriteNumber("requests_per_s", report.CompletedPerSecond);
        Write(json, "ttft_ms", report.TimeToFirstTokenMs);
        Write(json, "itl_ms", report.InterTokenMs);
        Write(json, "e2e_ms", report.EndToEndMs);
        if (report.Memory is { } m)
        {
            json.WriteStartObject("server_rss_bytes");
            json.WriteNumber("start", m.Start);
            json.WriteNumber("after_warmup", m.AfterWarmup);
            json.WriteNumber("end", m.End);
            json.WriteNumber("peak", m.Peak);
            json.WriteNumber("growth", m.Growth);
            json.WriteNumber("samples", m.Samples);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("server_rss_bytes");
        }

        json.WriteEndObject();
        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void Write(Utf8JsonWriter json, string name, Percentiles? p)
    {
        if (p is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteNumber("p50", p.P50);
        json.WriteNumber("p90", p.P90);
        json.WriteNumber("p99", p.P99);
        json.WriteEndObject();
    }
}
