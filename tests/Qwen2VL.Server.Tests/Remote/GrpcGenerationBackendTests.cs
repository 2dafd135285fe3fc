using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Workers;
using Qwen2VL.Grains.Media;
using Qwen2VL.Server.Remote;
using Qwen2VL.Worker.V1;
using GrainFinishReason = Qwen2VL.Grains.Abstractions.Sessions.FinishReason;
using GrainRequest = Qwen2VL.Grains.Abstractions.Generation.GenerationRequest;

namespace Qwen2VL.Server.Tests.Remote;

/// <summary>The silo's gRPC backend against a scripted worker: events, status mapping, media bytes, cancellation.</summary>
public sealed class GrpcGenerationBackendTests : IAsyncLifetime
{
    private readonly InMemoryMediaStore _media = new();
    private readonly WorkerChannels _channels = new();
    private ScriptedWorker? _worker;

    private ScriptedWorker Worker => _worker!;

    public async Task InitializeAsync() => _worker = await ScriptedWorker.StartAsync();

    public async Task DisposeAsync()
    {
        _channels.Dispose();
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
    }

    private GrpcGenerationBackend Backend(bool sendMedia = false) => new(_channels, _media, new GrpcGenerationBackendOptions { SendMediaBytes = sendMedia });

    private static GrainRequest Request(string address, params ChatMessage[] conversation) => new(
        new PipelineReference("tiny", [new PipelineStage("w1", "instance-1", address, new LayerRange(0, 3))]),
        "tenant-a", "tenant-a/s#1", conversation.Length > 0 ? conversation : [ChatMessage.FromText(ChatRole.User, "hi")],
        new SamplingSettings { Temperature = 0, MaxTokens = 7, Stop = ["\n\n"] }, KeepCache: true, "req-1", [5, 6], MaxContextTokens: 100, ReuseKeys: ["tenant-a/prefix/2", "tenant-a/prefix/1"]);

    [Fact]
    public async Task GenerateAsync_WorkerStreams_YieldsTokensThenFinishAndSendsTheRequest()
    {
        Worker.Generate = async (_, stream, _) =>
        {
            await stream.WriteAsync(new TokenEvent { Tokens = new TokenChunk { Text = "Hi", TokenIds = { 1, 2 } } });
            await stream.WriteAsync(new TokenEvent { Finished = new GenerateEnd { FinishReason = Qwen2VL.Worker.V1.FinishReason.Length, PromptTokens = 9, CachedPromptTokens = 4 } });
        };

        var events = await Backend().GenerateAsync(Request(Worker.Address), CancellationToken.None).ToListAsync();

        var tokens = Assert.IsType<GeneratedTokens>(events[0]);
        Assert.Equal("Hi", tokens.Text);
        Assert.Equal(new[] { 1, 2 }, tokens.TokenIds);
        Assert.Equal(new GenerationFinished(GrainFinishReason.Length, 9, 4), events[1]);
        var sent = Assert.Single(Worker.Requests);
        Assert.Equal(("tenant-a", "tenant-a/s#1", "req-1", "instance-1", 100), (sent.TenantId, sent.SequenceKey, sent.RequestId, sent.InstanceId, sent.MaxContextTokens));
        Assert.Equal(new[] { 5, 6 }, sent.ContinuationTokenIds);
        Assert.Equal(new[] { "tenant-a/prefix/2", "tenant-a/prefix/1" }, sent.ReuseKeys);
        Assert.Equal((0f, 7, "\n\n"), (sent.Sampling.Temperature, sent.Sampling.MaxTokens, sent.Sampling.Stop.Single()));
        Assert.False(sent.Sampling.HasTopP);
        Assert.Equal(MessageRole.User, sent.Conversation.Single().Role);
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument, typeof(GenerationRejectedException))]
    [InlineData(StatusCode.FailedPrecondition, typeof(KvLeaseLostException))]
    [InlineData(StatusCode.Unavailable, typeof(PipelineUnreachableException))]
    [InlineData(StatusCode.Internal, typeof(PipelineUnreachableException))]
    public async Task GenerateAsync_WorkerStatus_MapsToTheGrainException(StatusCode status, Type expected)
    {
        Worker.Generate = async (_, stream, _) =>
        {
            await stream.WriteAsync(new TokenEvent { Tokens = new TokenChunk { Text = "a", TokenIds = { 1 } } });
            throw WorkerErrors.Create(status, "some_reason", "what went wrong");
        };
        var received = new List<GenerationEvent>();

        var error = await Record.ExceptionAsync(async () =>
        {
            await foreach (var item in Backend().GenerateAsync(Request(Worker.Address), CancellationToken.None))
            {
                received.Add(item);
            }
        });

        Assert.IsType(expected, error);
        Assert.Single(received);
        Assert.Contains("what went wrong", error!.Message, StringComparison.Ordinal);
        if (error is GenerationRejectedException rejected)
        {
            Assert.Equal("some_reason", rejected.Code);
        }
    }

    [Fact]
    public async Task GenerateAsync_InvalidArgumentNotFromAWorker_IsNotBlamedOnTheRequest()
    {
        // A status without the worker's ErrorInfo came from something else on the way (a proxy, a wrong service).
        Worker.Generate = (_, _, _) => throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "no such thing"));

        var error = await Record.ExceptionAsync(() => Backend().GenerateAsync(Request(Worker.Address), CancellationToken.None).ToListAsync().AsTask());

        Assert.IsType<PipelineUnreachableException>(error);
    }

    [Fact]
    public async Task GenerateAsync_NothingListening_IsPipelineUnreachableQuickly()
    {
        string address = $"http://127.0.0.1:{FreePort()}";
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Record.ExceptionAsync(() => Backend().GenerateAsync(Request(address), CancellationToken.None).ToListAsync().AsTask());

        var unreachable = Assert.IsType<PipelineUnreachableException>(error);
        Assert.Equal(address, unreachable.StageAddress);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task GenerateAsync_CallerStopsReading_CancelsTheCallOnTheWorker()
    {
        Worker.Generate = async (_, stream, context) =>
        {
            await stream.WriteAsync(new TokenEvent { Tokens = new TokenChunk { Text = "a", TokenIds = { 1 } } });
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        };

        await foreach (var _ in Backend().GenerateAsync(Request(Worker.Address), CancellationToken.None))
        {
            break;
        }

        await Worker.CallCancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task GenerateAsync_SendMediaBytes_AttachesEachStoredMediumOnce()
    {
        byte[] png = [1, 2, 3, 4];
        var reference = await _media.PutAsync("tenant-a", png, "image/png");
        var image = new ChatMessage(ChatRole.User, [ContentPart.FromImage(reference), ContentPart.FromImage(reference), ContentPart.FromText("twice")]);
        Worker.Generate = (_, stream, _) => stream.WriteAsync(new TokenEvent { Finished = new GenerateEnd() });

        await Backend(sendMedia: true).GenerateAsync(Request(Worker.Address, image), CancellationToken.None).ToListAsync();

        var parts = Worker.Requests.Single().Conversation.Single().Parts;
        Assert.Equal(png, parts[0].Image.Data.ToByteArray());
        Assert.True(parts[1].Image.Data.IsEmpty);
        Assert.Equal(reference.ContentHash, parts[1].Image.ContentHash);
        Assert.Equal(WorkerRequestWire.InlineMedia(Worker.Requests[0])[reference.ContentHash].ToArray(), png);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
