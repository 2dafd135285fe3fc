using System.CommandLine;
using System.Globalization;
using System.Net;
using Qwen2VL.Model.Stages;

namespace Qwen2VL.Worker.Hosting;

/// <summary>
/// Parses a stage process's arguments:
/// <c>--model &lt;dir&gt; --layers a:b --worker-port N [--next-stage host:port] [--bind ip] [--device cpu] [--dtype bfloat16]
/// [--threads N] [--kv-cache-tokens N] [--max-context-tokens N] [--max-message-mb N] [--step-timeout-seconds N]</c>.
/// </summary>
public static class StageHostCommandLine
{
    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> listing every problem.</summary>
    public static StageHostOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var model = new Option<string>("--model") { Description = "Checkpoint folder", Required = true };
        var layers = new Option<string>("--layers") { Description = "Decoder layers a:b (end exclusive) of this stage", Required = true };
        var port = new Option<int>("--worker-port") { Description = "HTTP/2 port of the worker API (0: any free port)", Required = true };
        var next = new Option<string?>("--next-stage") { Description = "host:port (or http://host:port) of the next stage" };
        var bind = new Option<string>("--bind") { Description = "Address to listen on", DefaultValueFactory = _ => "0.0.0.0" };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu" };
        var dtype = new Option<string>("--dtype") { DefaultValueFactory = _ => "bfloat16" };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 0 };
        var kvTokens = new Option<int>("--kv-cache-tokens") { DefaultValueFactory = _ => 32768 };
        var context = new Option<int>("--max-context-tokens") { DefaultValueFactory = _ => 0 };
        var messageMb = new Option<int>("--max-message-mb") { DefaultValueFactory = _ => WorkerMessageLimits.DefaultMaxMessageBytes / (1024 * 1024) };
        var stepTimeout = new Option<double>("--step-timeout-seconds") { DefaultValueFactory = _ => 60 };
        var root = new RootCommand("Serves one pipeline stage of a Qwen2-VL checkpoint")
        {
            model, layers, port, next, bind, device, dtype, threads, kvTokens, context, messageMb, stepTimeout,
        };

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", result.Errors.Select(e => e.Message)));
        }

        int megabytes = result.GetValue(messageMb);
        if (megabytes is <= 0 or > 2047)
        {
            throw new ArgumentException($"--max-message-mb must be within 1..2047, got {megabytes}");
        }

        return new StageHostOptions
        {
            ModelDirectory = result.GetValue(model)!,
            Layers = ParseLayers(result.GetValue(layers)!),
            Port = result.GetValue(port),
            NextStage = result.GetValue(next) is { } address ? NormalizeAddress(address) : null,
            Bind = IPAddress.TryParse(result.GetValue(bind), out var ip) ? ip : throw new ArgumentException($"--bind '{result.GetValue(bind)}' is not an IP address"),
            Device = result.GetValue(device)!,
            DType = result.GetValue(dtype)!,
            Threads = result.GetValue(threads),
            KvCacheTokens = result.GetValue(kvTokens),
            MaxContextTokens = result.GetValue(context),
            MaxMessageBytes = megabytes * 1024 * 1024,
            StepTimeout = TimeSpan.FromSeconds(result.GetValue(stepTimeout)),
        };
    }

    /// <summary>Parses <c>a:b</c>, end exclusive, naming the option in the error.</summary>
    public static LayerRange ParseLayers(string value)
    {
        try
        {
            return LayerRange.Parse(value);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"--layers {e.Message}", e);
        }
    }

    /// <summary>host:port becomes http://host:port (the worker API is HTTP/2 without TLS inside the cluster).</summary>
    public static string NormalizeAddress(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        return address.Contains("://", StringComparison.Ordinal) ? address : $"http://{address}";
    }
}
