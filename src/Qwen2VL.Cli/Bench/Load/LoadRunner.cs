using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Net.Client;
using Qwen2VL.Api.V1;

namespace Qwen2VL.Cli.Bench.Load;

/// <summary>
/// Runs the load: <see cref="LoadSettings.Concurrency"/> workers, each sending requests of its mix back to back until
/// the duration is over; requests still running then may finish within <see cref="LoadSettings.DrainLimit"/>. A worker
/// pauses briefly after a failed request. The server's memory is sampled alongside.
/// </summary>
internal static class LoadRunner
{
    // A server refusing every request would otherwise be hit as fast as the client can loop (thousands per second).
    private static readonly TimeSpan PauseAfterFailure = TimeSpan.FromMilliseconds(100);

    public static async Task<LoadReport> RunAsync(LoadSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        string model = await ServedModel.ResolveAsync(settings, log, cancellationToken).ConfigureAwait(false);
        using var channel = settings.Api == LoadApi.Grpc
            ? GrpcChannel.ForAddress(settings.GrpcServer, new GrpcChannelOptions { MaxSendMessageSize = 64 << 20, MaxReceiveMessageSize = 64 << 20 })
            : null;
        var clients = Enumerable.Range(0, settings.Concurrency)
            .Select(_ => channel is null ? (ILoadClient)new OpenAiLoadClient(settings, model) : new GrpcLoadClient(new ChatService.ChatServiceClient(channel), settings with { Model = model }))
            .ToList();

        using var metricsHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var clock = new Stopwatch();
        var memory = new ServerMemorySampler(metricsHttp, settings.Server, clock);
        clock.Start();
        await memory.SampleAsync(cancellationToken).ConfigureAwait(false);

        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = memory.RunAsync(settings.Warmup, settings.SampleInterval, sampling.Token);
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        hardStop.CancelAfter(settings.Duration + LoadSettings.DrainLimit);
        var records = new ConcurrentQueue<RequestRecord>();
        var counts = new RequestCounts();
        string runId = Guid.NewGuid().ToString("n")[..8];
        await log.WriteLineAsync($"[load] {settings.Concurrency} workers for {settings.Duration.TotalSeconds:0.#} s against {(settings.Api == LoadApi.OpenAi ? settings.Server : settings.GrpcServer)}").ConfigureAwait(false);
        var workers = clients.Select((client, i) => Task.Run(() => WorkerAsync(client, new LoadPromptMix(settings, i, runId), settings.Duration, clock, records, counts, hardStop.Token), CancellationToken.None)).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        double elapsed = clock.Elapsed.TotalSeconds;

        await sampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        await memory.SampleAsync(CancellationToken.None).ConfigureAwait(false);
        return LoadReport.From(settings, model, records, counts.Started, counts.WithImage, counts.SessionTurns, elapsed,
            ServerMemory.From(memory.Samples, settings.Warmup), memory.LastError);
    }

    private static async Task WorkerAsync(ILoadClient client, LoadPromptMix mix, TimeSpan duration, Stopwatch clock, ConcurrentQueue<RequestRecord> records, RequestCounts counts, CancellationToken hardStop)
    {
        while (clock.Elapsed < duration && !hardStop.IsCancellationRequested)
        {
            var request = mix.Next();
            counts.Count(request);
            var record = await client.SendAsync(request, hardStop).ConfigureAwait(false);
            records.Enqueue(record);
            if (record.Outcome == RequestOutcome.Failed && clock.Elapsed + PauseAfterFailure < duration)
            {
                await Task.Delay(PauseAfterFailure, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
