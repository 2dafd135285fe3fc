using System.Globalization;
using System.Text;

namespace Qwen2VL.Cli.Bench.Load;

/// <summary>Formats a load report as an aligned two-column table.</summary>
internal static class LoadReportTable
{
    private const double MiB = 1024 * 1024;

    public static string Format(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Settings;
        var rows = new List<(string Name, string Value)>
        {
            ("target", $"{(s.Api == LoadApi.OpenAi ? $"openai {s.Server}" : $"grpc {s.GrpcServer}")}, model '{report.Model}'"),
            ("load", Invariant($"concurrency {s.Concurrency}, {s.Duration.TotalSeconds:0.#} s, max_tokens {s.MaxTokens}, image ratio {s.ImageRatio:0.##}, session turns {s.SessionTurns}")),
            ("elapsed", Invariant($"{report.ElapsedSeconds:F1} s (drain included)")),
            ("requests", Invariant($"{report.Started} sent: {report.Completed} ok, {report.Failed} failed, {report.Unfinished} unfinished ({report.WithImage} with an image, {report.SessionTurns} session turns)")),
        };
        rows.AddRange(report.Errors.Select(e => ("  error", Invariant($"{e.Value} × {e.Key}"))));
        rows.Add(("output", Invariant($"{report.OutputTokens} tokens, {report.OutputTokensPerSecond:F1} tokens/s, {report.CompletedPerSecond:F2} requests/s")));
        rows.Add(("TTFT ms", Format(report.TimeToFirstTokenMs)));
        rows.Add(("ITL ms", Format(report.InterTokenMs)));
        rows.Add(("end-to-end ms", Format(report.EndToEndMs)));
        rows.Add(("server RSS MiB", report.Memory is { } m
            ? Invariant($"start {m.Start / MiB:F0}, after warm-up {m.AfterWarmup / MiB:F0}, end {m.End / MiB:F0}, peak {m.Peak / MiB:F0} ({m.Samples} samples)")
            : $"not measured: {report.MemoryError}"));
        if (report.Memory is { } memory)
        {
            rows.Add(("memory growth", Invariant($"{memory.Growth / MiB:+0.0;-0.0;0.0} MiB (end − after warm-up at {s.Warmup.TotalSeconds:0.#} s)")));
        }

        int width = rows.Max(r => r.Name.Length);
        var text = new StringBuilder();
        foreach (var (name, value) in rows)
        {
            text.Append(name.PadRight(width)).Append("  ").AppendLine(value);
        }

        return text.ToString();
    }

    private static string Format(Percentiles? p) =>
        p is null ? "no completed requests" : Invariant($"p50 {p.P50:F1}, p90 {p.P90:F1}, p99 {p.P99:F1}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
