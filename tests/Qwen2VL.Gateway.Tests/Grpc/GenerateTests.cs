using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Qwen2VL.Api.V1;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Gateway.Tests.Http;
using static Qwen2VL.Gateway.Tests.Grpc.GrpcTestServer;

namespace Qwen2VL.Gateway.Tests.Grpc;

/// <summary>Stateless generation through a real gRPC client and server.</summary>
public sealed class GenerateTests
{
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    public static Message User(params Api.V1.ContentPart[] parts) => new() { Role = Role.User, Content = { parts } };

    public static Api.V1.ContentPart Text(string text) => new() { Text = text };

    [Fact]
    public async Task Generate_Conversation_StreamsDeltasThenFinal()
    {
        var backend = new ScriptedBackend();
        await using var server = await StartAsync(backend);
        var request = new GenerateRequest
        {
            Messages = { new Message { Role = Role.System, Content = { Text("be brief") } }, User(Text("hi")) },
            Sampling = new SamplingOptions { Temperature = 0, MaxTokens = 16, Seed = 3, Stop = { "\n\n" } },
        };

        var (text, deltas, final) = await ResponseStreams.ReadAllAsync(server.Client.Generate(request, As(TenantAKey)));

        Assert.Equal(new[] { "Hel", "lo", "!" }, deltas.Select(d => d.Text));
        Assert.Equal("Hello!", text);
        Assert.Equal("Hello!", final.Text);
        Assert.Equal(FinishReason.Stop, final.FinishReason);
        Assert.Equal(20, final.Usage.PromptTokens);
        Assert.Equal(3, final.Usage.CompletionTokens);
        Assert.Equal(0, final.Usage.CachedPromptTokens);
        Assert.InRange(final.TimeToFirstTokenSeconds, 0, final.TotalSeconds);
        Assert.True(final.TotalSeconds > 0);
        var call = Assert.Single(backend.Calls);
        Assert.Equal("tenant-a", call.TenantId);
        Assert.Equal("qwen2-vl-tiny", call.Model);
        Assert.Null(call.SessionId);
        Assert.Equal(new[] { "system", "user" }, call.Messages.Select(m => m.Role));
        Assert.Equal(0f, call.Sampling.Temperature);
        Assert.Equal(16, call.Sampling.MaxTokens);
        Assert.Equal(3L, call.Sampling.Seed);
        Assert.Equal(new[] { "\n\n" }, call.Sampling.Stop);
        Assert.Null(call.Sampling.TopP);
    }

    [Fact]
    public async Task Generate_Logprobs_DeltasCarryAlternatives()
    {
        await using var server = await StartAsync(new ScriptedBackend());
        var request = new GenerateRequest { Messages = { User(Text("hi")) }, Sampling = new SamplingOptions { Logprobs = true, TopLogprobs = 2 } };

        var (_, deltas, _) = await ResponseStreams.ReadAllAsync(server.Client.Generate(request, As(TenantAKey)));

        var first = Assert.Single(deltas[0].Logprobs);
        Assert.Equal("Hel", first.Token);
        Assert.Equal(-0.5f, first.Logprob);
        Assert.Equal(new[] { "Hel0", "Hel1" }, first.Top.Select(t => t.Token));
    }

    [Fact]
    public async Task Generate_FiveMiBInlineImage_ReachesBackendAsDataUrlOfSniffedType()
    {
        var backend = new ScriptedBackend();
        await using var server = await StartAsync(backend);
        // A PNG signature and header followed by padding: the size is what matters here, the sniffer reads the head.
        var image = new byte[5 * 1024 * 1024];
        Png.CopyTo(image, 0);
        var request = new GenerateRequest
        {
            Messages = { User(Text("what is it?"), new Api.V1.ContentPart { Image = new Media { Data = ByteString.CopyFrom(image), Detail = ImageDetail.Low } }) },
        };

        var (text, _, _) = await ResponseStreams.ReadAllAsync(server.Client.Generate(request, As(TenantAKey)));

        Assert.Equal("Hello!", text);
        var part = Assert.IsType<ImagePart>(Assert.Single(backend.Calls).Messages[0].Content[1]);
        Assert.StartsWith("data:image/png;base64,iVBORw0KGgo", part.Url, StringComparison.Ordinal);
        Assert.Equal(image, Convert.FromBase64String(part.Url[(part.Url.IndexOf(',', StringComparison.Ordinal) + 1)..]));
        Assert.Equal("low", part.Detail);
    }

    [Fact]
    public async Task Generate_MessageOverConfiguredLimit_ResourceExhausted()
    {
        var backend = new ScriptedBackend();
        await using var server = await StartAsync(backend, options => options.MaxReceiveMessageBytes = 1024 * 1024);
        var image = new byte[2 * 1024 * 1024];
        Png.CopyTo(image, 0);
        var request = new GenerateRequest { Messages = { User(new Api.V1.ContentPart { Image = new Media { Data = ByteString.CopyFrom(image) } }) } };

        var error = await Assert.ThrowsAsync<RpcException>(() => ResponseStreams.ReadAllAsync(server.Client.Generate(request, As(TenantAKey))));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Empty(backend.Calls);
    }

    [Fact]
    public async Task Generate_VideoFramesAndUrls_ReachBackendAsVideoParts()
    {
        var backend = new ScriptedBackend();
        await using var server = await StartAsync(backend);
        var frames = new Frames { Frames_ = { new Media { Data = ByteString.CopyFrom(Png) }, new Media { Url = "https://example.test/f2.jpg" } } };
        var request = new GenerateRequest
        {
            Messages =
            {
                User(new Api.V1.ContentPart { Video = new Media { Frames = frames } }, new Api.V1.ContentPart { Video = new Media { Url = "https://example.test/v.mp4" } }),
            },
            MediaOptions = new MediaOptions { MaxPixels = 200_000, Fps = 1, MaxFrames = 8 },
        };

        await ResponseStreams.ReadAllAsync(server.Client.Generate(request, As(TenantAKey)));

        var call = Assert.Single(backend.Calls);
        var listed = Assert.IsType<VideoPart>(call.Messages[0].Content[0]);
        Assert.Null(listed.Url);
        Assert.StartsWith("data:image/png;base64,", listed.FrameUrls![0], StringComparison.Ordinal);
        Assert.Equal("https://example.test/f2.jpg", listed.FrameUrls[1]);
        Assert.Equal("https://example.test/v.mp4", Assert.IsType<VideoPart>(call.Messages[0].Content[1]).Url);
        Assert.Equal(new MediaProcessingOverrides(null, 200_000, 1, 8), call.MediaOverrides);
    }

    [Theory]
    [InlineData("no messages", "messages", "")]
    [InlineData("no role", "messages[0].role", "MISSING_REQUIRED_PARAMETER")]
    [InlineData("empty part", "messages[0].content[0]", "MISSING_REQUIRED_PARAMETER")]
    [InlineData("ftp image", "messages[0].content[0].image.url", "INVALID_URL")]
    [InlineData("text as image bytes", "messages[0].content[0].image.data", "UNSUPPORTED_MEDIA_TYPE")]
    [InlineData("image in system message", "messages[0].content[0]", "")]
    [InlineData("five images", "messages", "TOO_MANY_IMAGES")]
    [InlineData("temperature 3", "sampling.temperature", "")]
    [InlineData("top_p 0", "sampling.top_p", "")]
    [InlineData("top_logprobs without logprobs", "sampling.top_logprobs", "")]
    [InlineData("empty stop", "sampling.stop", "")]
    [InlineData("fps 0", "media_options.fps", "")]
    [InlineData("min above max pixels", "media_options", "")]
    [InlineData("bad request_id", "request_id", "")]
    public async Task Generate_InvalidArgument_InvalidArgumentNamingTheField(string scenario, string field, string reason)
    {
        var backend = new ScriptedBackend();
        await using var server = await StartAsync(backend);
        var image = new Api.V1.ContentPart { Image = new Media { Data = ByteString.CopyFrom(Png) } };
        var request = new GenerateRequest { Messages = { User(Text("hi")) } };
        switch (scenario)
        {
            case "no messages": request.Messages.Clear(); break;
            case "no role": request.Messages[0].Role = Role.Unspecified; break;
            case "empty part": request.Messages[0].Content[0] = new Api.V1.ContentPart(); break;
            case "ftp image": request.Messages[0].Content[0] = new Api.V1.ContentPart { Image = new Media { Url = "ftp://example.test/a.png" } }; break;
            case "text as image bytes": request.Messages[0].Content[0] = new Api.V1.ContentPart { Image = new Media { Data = ByteString.CopyFromUtf8("just text") } }; break;
            case "image in system message": request.Messages[0] = new Message { Role = Role.System, Content = { image } }; break;
            case "five images": request.Messages[0].Content.AddRange(Enumerable.Repeat(image, 5)); break;
            case "temperature 3": request.Sampling = new SamplingOptions { Temperature = 3 }; break;
            case "top_p 0": request.Sampling = new SamplingOptions { TopP = 0 }; break;
            case "top_logprobs without logprobs": request.Sampling = new SamplingOptions { TopLogprobs = 3 }; break;
            case "empty stop": request.Sampling = new SamplingOptions { Stop = { "" } }; break;
            case "fps 0": request.MediaOptions = new MediaOptions { Fps = 0 }; break;
            case "min above max pixels": request.MediaOptions = new MediaOptions { MinPixels = 1000, MaxPixels = 10 }; break;
            case "bad request_id": request.RequestId = "has spaces"; break;
            default: throw new ArgumentException(scenario);
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => ResponseStreams.ReadAllAsync(server.Client.Generate(request, As(TenantAKey))));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var status = error.GetRpcStatus()!;
        Assert.Equal(field, status.GetDetail<BadRequest>()!.FieldViolations.Single().Field);
        var info = status.GetDetail<ErrorInfo>()!;
        Assert.Equal("qwen2vl.v1", info.Domain);
        if (reason.Length > 0)
        {
            Assert.Equal(reason, info.Reason);
        }

        Assert.Empty(backend.Calls);
    }

    [Fact]
    public async Task Generate_BackendUnavailable_UnavailableWithRetryInfo()
    {
        var backend = new ScriptedBackend
        {
            FailBeforeFirstToken = new ChatBackendException(ChatFailure.Unavailable, "no worker holds the model", "no_worker") { RetryAfter = TimeSpan.FromSeconds(2) },
        };
        await using var server = await StartAsync(backend);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            ResponseStreams.ReadAllAsync(server.Client.Generate(new GenerateRequest { Messages = { User(Text("hi")) } }, As(TenantAKey))));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("no worker holds the model", error.Status.Detail);
        Assert.Equal(TimeSpan.FromSeconds(2), error.GetRpcStatus()!.GetDetail<RetryInfo>()!.RetryDelay.ToTimeSpan());
        Assert.Equal("NO_WORKER", error.GetRpcStatus()!.GetDetail<ErrorInfo>()!.Reason);
        Assert.Equal("2000", error.Trailers.GetValue("grpc-retry-pushback-ms"));
    }

    [Theory]
    [InlineData(ChatFailure.RateLimited, StatusCode.ResourceExhausted)]
    [InlineData(ChatFailure.PermissionDenied, StatusCode.PermissionDenied)]
    [InlineData(ChatFailure.NotFound, StatusCode.NotFound)]
    [InlineData(ChatFailure.ContextTooLong, StatusCode.InvalidArgument)]
    [InlineData(ChatFailure.Internal, StatusCode.Internal)]
    public async Task Generate_BackendFailure_MapsToStatus(ChatFailure failure, StatusCode expected)
    {
        var backend = new ScriptedBackend
        {
            FailBeforeFirstToken = new ChatBackendException(failure, "refused") { RetryAfter = failure == ChatFailure.RateLimited ? TimeSpan.FromSeconds(7) : null },
        };
        await using var server = await StartAsync(backend);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            ResponseStreams.ReadAllAsync(server.Client.Generate(new GenerateRequest { Messages = { User(Text("hi")) } }, As(TenantAKey))));

        Assert.Equal(expected, error.StatusCode);
        var retry = error.GetRpcStatus()!.GetDetail<RetryInfo>();
        Assert.Equal(failure == ChatFailure.RateLimited ? TimeSpan.FromSeconds(7) : null, retry?.RetryDelay.ToTimeSpan());
    }

    [Fact]
    public async Task Generate_FailureAfterFirstDelta_DeltaThenInternal()
    {
        var backend = new ScriptedBackend { FailAfterFirstToken = new ChatBackendException(ChatFailure.Internal, "worker lost") };
        await using var server = await StartAsync(backend);
        using var call = server.Client.Generate(new GenerateRequest { Messages = { User(Text("hi")) } }, As(TenantAKey));

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal("Hel", call.ResponseStream.Current.Delta.Text);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("worker lost", error.Status.Detail);
    }

    [Fact]
    public async Task Generate_ClientCancels_BackendStreamIsCancelled()
    {
        var backendCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var backend = new ScriptedBackend
        {
            BeforePiece = async (index, cancellationToken) =>
            {
                if (index == 1)
                {
                    try
                    {
                        await Task.Delay(Timeout.Infinite, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        backendCancelled.TrySetResult();
                        throw;
                    }
                }
            },
        };
        await using var server = await StartAsync(backend);
        using var cancellation = new CancellationTokenSource();
        using var call = server.Client.Generate(new GenerateRequest { Messages = { User(Text("hi")) } }, As(TenantAKey, cancellationToken: cancellation.Token));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        await cancellation.CancelAsync();

        await backendCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task Generate_IdempotencyKey_PassedThroughFromFieldOrMetadata()
    {
        var backend = new ScriptedBackend();
        await using var server = await StartAsync(backend);

        await ResponseStreams.ReadAllAsync(server.Client.Generate(new GenerateRequest { Messages = { User(Text("hi")) }, RequestId = "req-1" }, As(TenantAKey)));
        await ResponseStreams.ReadAllAsync(server.Client.Generate(new GenerateRequest { Messages = { User(Text("hi")) } },
            As(TenantAKey, new Metadata { { "idempotency-key", "req-2" } })));
        var conflict = await Assert.ThrowsAsync<RpcException>(() => ResponseStreams.ReadAllAsync(server.Client.Generate(
            new GenerateRequest { Messages = { User(Text("hi")) }, RequestId = "req-3" }, As(TenantAKey, new Metadata { { "idempotency-key", "req-4" } }))));

        Assert.Equal(new[] { "req-1", "req-2" }, backend.Calls.Select(c => c.IdempotencyKey));
        Assert.Equal(StatusCode.InvalidArgument, conflict.StatusCode);
    }

    [Fact]
    public async Task Generate_NamedModel_PassedThrough()
    {
        var backend = new ScriptedBackend();
        await using var server = await StartAsync(backend);

        await ResponseStreams.ReadAllAsync(server.Client.Generate(new GenerateRequest { Model = "qwen2-vl-7b", Messages = { User(Text("hi")) } }, As(TenantAKey)));

        Assert.Equal("qwen2-vl-7b", Assert.Single(backend.Calls).Model);
    }
}
