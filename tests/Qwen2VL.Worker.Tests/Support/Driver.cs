using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Qwen2VL.Engine;
using Qwen2VL.Engine.Pipeline;
using Qwen2VL.Model.Stages;
using Qwen2VL.Worker.Client;

namespace Qwen2VL.Worker.Tests.Support;

/// <summary>An engine driving from a first stage in this process, with the rest behind a gRPC tail (or none).</summary>
public sealed class Driver : IAsyncDisposable
{
    private readonly GrpcChannel? _channel;

    private Driver(InferenceEngine engine, IPipelineTail? tail, GrpcChannel? channel)
    {
        Engine = engine;
        Tail = tail;
        _channel = channel;
    }

    public InferenceEngine Engine { get; }

    public IPipelineTail? Tail { get; }

    /// <summary>The whole model in this process.</summary>
    public static Driver Whole(TinyStages stages, EngineOptions? options = null) =>
        new(new InferenceEngine(stages.Whole, TinyStages.EosTokenIds, options ?? new EngineOptions(), NullLogger<InferenceEngine>.Instance), null, null);

    /// <summary>
    /// <paramref name="first"/> in this process and the next stage at <paramref name="address"/>;
    /// <paramref name="wrap"/> may decorate the tail (to record what it returns).
    /// </summary>
    public static Driver Remote(Qwen2VLStage first, string address, EngineOptions? options = null, Func<IPipelineTail, IPipelineTail>? wrap = null, GrpcPipelineTailOptions? tailOptions = null)
    {
        var channel = WorkerChannel.Create(address);
        IPipelineTail tail = new GrpcPipelineTail(channel, first.Layers.End, tailOptions);
        tail = wrap?.Invoke(tail) ?? tail;
        var engine = new InferenceEngine(first, tail, TinyStages.EosTokenIds, options ?? new EngineOptions(), NullLogger<InferenceEngine>.Instance);
        return new Driver(engine, tail, channel);
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        if (Tail is not null)
        {
            await Tail.DisposeAsync();
        }

        _channel?.Dispose();
    }
}
