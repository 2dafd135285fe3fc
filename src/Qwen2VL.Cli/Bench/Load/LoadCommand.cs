using System.CommandLine;
using System.CommandLine.Parsing;

namespace Qwen2VL.Cli.Bench.Load;

/// <summary>
/// <c>bench load</c>: drives a running server through its OpenAI or gRPC API with concurrent streaming requests for a
/// while, then prints throughput, latency percentiles, errors by class and the server's memory (and writes them as JSON).
/// Exits 0 when at least one request completed, 1 when none did, 2 on bad options.
/// </summary>
internal static class LoadCommand
{
    private const string DefaultServer = "http://127.0.0.1:8080";
    private const int DefaultGrpcPort = 8081;
    private static readonly TimeSpan MaxDefaultWarmup = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "HTTP address of the server (OpenAI API and /metrics)", DefaultValueFactory = _ => DefaultServer };
        var api = new Option<string>("--api") { Description = "openai | grpc", DefaultValueFactory = _ => "openai" };
        var grpcServer = new Option<string?>("--grpc-server") { Description = $"gRPC address for --api grpc (default: the --server host, port {DefaultGrpcPort})" };
        var concurrency = new Option<int>("--concurrency") { Description = "workers sending requests back to back", DefaultValueFactory = _ => 16 };
        var duration = new Option<string>("--duration") { Description = "how long to send requests, e.g. 600s or 10m", DefaultValueFactory = _ => "60s" };
        var warmup = new Option<string?>("--warmup") { Description = "when the memory baseline is taken (default: 10% of the duration, at most 30 s)" };
        var maxTokens = new Option<int>("--max-tokens") { Description = "max_tokens of every request", DefaultValueFactory = _ => 128 };
        var imageRatio = new Option<double>("--image-ratio") { Description = "fraction of requests with a generated PNG image, 0..1", DefaultValueFactory = _ => 0.25 };
        var sessionTurns = new Option<int>("--session-turns") { Description = "0: stateless requests; N: each worker talks in server-side sessions of N turns (X-Session-Id / Chat)" };
        var apiKey = new Option<string>("--api-key") { Description = "API key (any key works against a loopback server without keys)", DefaultValueFactory = _ => "none" };
        var model = new Option<string?>("--model") { Description = "model name (default: the first of /v1/models; gRPC: the server's default)" };
        var sampleInterval = new Option<string>("--sample-interval") { Description = "how often the server's memory is read from /metrics", DefaultValueFactory = _ => "2s" };
        var seed = new Option<int>("--seed") { Description = "seed of the prompt mix" };
        var json = new Option<FileInfo?>("--json") { Description = "also write the report as JSON to this file" };
        var command = new Command("load", "Load-test a running server: throughput, TTFT and inter-token latency percentiles, errors, server memory")
        {
            server, api, grpcServer, concurrency, duration, warmup, maxTokens, imageRatio, sessionTurns, apiKey, model, sampleInterval, seed, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var errors = new List<string>();
            var settings = Settings(parse, errors, server, api, grpcServer, concurrency, duration, warmup, maxTokens, imageRatio, sessionTurns, apiKey, model, sampleInterval, seed);
            if (settings is null)
            {
                foreach (string error in errors)
                {
                    await Console.Error.WriteLineAsync($"bench load: {error}").ConfigureAwait(false);
                }

                return 2;
            }

            var report = await LoadRunner.RunAsync(settings, Console.Error, cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteAsync(LoadReportTable.Format(report)).ConfigureAwait(false);
            if (parse.GetValue(json) is { } file)
            {
                await LoadReportJson.WriteAsync(file.FullName, report, CancellationToken.None).ConfigureAwait(false);
            }

            return report.Completed > 0 ? 0 : 1;
        });
        return command;
    }

    private static LoadSettings? Settings(ParseResult parse, List<string> errors, Option<string> server, Option<string> api, Option<string?> grpcServer,
        Option<int> concurrency, Option<string> duration, Option<string?> warmup, Option<int> maxTokens, Option<double> imageRatio, Option<int> sessionTurns,
        Option<string> apiKey, Option<string?> model, Option<string> sampleInterval, Option<int> seed)
    {
        var http = Address(parse.GetValue(server)!, "--server", errors);
        var kind = parse.GetValue(api)?.ToLowerInvariant() switch
        {
            "openai" => LoadApi.OpenAi,
            "grpc" => LoadApi.Grpc,
            var other => Fail<LoadApi>(errors, $"--api must be openai or grpc, not '{other}'"),
        };
        var grpc = parse.GetValue(grpcServer) is { } g ? Address(g, "--grpc-server", errors)
            : http is null ? null : new UriBuilder(http) { Port = DefaultGrpcPort }.Uri;
        var length = Duration(parse.GetValue(duration)!, "--duration", errors);
        var warm = parse.GetValue(warmup) is { } w ? Duration(w, "--warmup", errors)
            : length is { } l ? TimeSpan.FromTicks(Math.Min(l.Ticks / 10, MaxDefaultWarmup.Ticks)) : null;
        var interval = Duration(parse.GetValue(sampleInterval)!, "--sample-interval", errors);
        int workers = parse.GetValue(concurrency), tokens = parse.GetValue(maxTokens), turns = parse.GetValue(sessionTurns);
        double ratio = parse.GetValue(imageRatio);
        Check(workers >= 1, $"--concurrency must be at least 1, not {workers}");
        Check(tokens >= 1, $"--max-tokens must be at least 1, not {tokens}");
        Check(ratio is >= 0 and <= 1, $"--image-ratio must be between 0 and 1, not {ratio}");
        Check(turns >= 0, $"--session-turns must be 0 or more, not {turns}");
        Check(warm is null || length is null || warm < length, $"--warmup ({warm?.TotalSeconds} s) must be shorter than --duration ({length?.TotalSeconds} s)");
        string key = parse.GetValue(apiKey)!;
        Check(key.Length > 0, "--api-key must not be empty");
        return errors.Count > 0 ? null
            : new LoadSettings(http!, kind, grpc!, workers, length!.Value, warm!.Value, tokens, ratio, turns, key, parse.GetValue(model), interval!.Value, parse.GetValue(seed));

        void Check(bool ok, string message)
        {
            if (!ok)
            {
                errors.Add(message);
            }
        }
    }

    private static Uri? Address(string text, string option, List<string> errors)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }

        errors.Add($"{option} must be an http:// or https:// address, not '{text}'");
        return null;
    }

    private static TimeSpan? Duration(string text, string option, List<string> errors)
    {
        var value = DurationText.Parse(text);
        if (value is null)
        {
            errors.Add($"{option} must be a positive duration such as 600s, 10m or 500ms, not '{text}'");
        }

        return value;
    }

    private static T Fail<T>(List<string> errors, string message)
        where T : struct
    {
        errors.Add(message);
        return default;
    }
}
