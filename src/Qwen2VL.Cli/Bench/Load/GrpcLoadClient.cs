using Google.Protobuf;
using Grpc.Core;
using Qwen2VL.Api.V1;
using Qwen2VL.Cli.Generate;

namespace Qwen2VL.Cli.Bench.Load;

/// <summary>
/// Streams answers through the public gRPC API: <c>Generate</c> for stateless requests, <c>CreateSession</c> then
/// <c>Chat</c> for session turns. Images travel as bytes.
/// </summary>
internal sealed class GrpcLoadClient : ILoadClient
{
    private readonly ChatService.ChatServiceClient _client;
    private readonly Metadata _auth;
    private readonly string _model;

    public GrpcLoadClient(ChatService.ChatServiceClient client, LoadSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _client = client;
        _auth = ProtoMessages.Auth(settings.ApiKey);
        _model = settings.Model ?? "";
    }

    public async Task<RequestRecord> SendAsync(LoadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var message = new Message { Role = Role.User };
        if (request.Image is { } png)
        {
            message.Content.Add(new ContentPart { Image = new Media { Data = ByteString.CopyFrom(png) } });
        }

        message.Content.Add(new ContentPart { Text = request.Text });
        var sampling = new SamplingOptions { MaxTokens = request.MaxTokens };
        var timer = new ChunkTimer();
        try
        {
            using var call = await StartAsync(request, message, sampling, cancellationToken).ConfigureAwait(false);
            await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (response.EventCase == ChatResponse.EventOneofCase.Delta && response.Delta.Text.Length > 0)
                {
                    timer.Chunk();
                }
                else if (response.EventCase == ChatResponse.EventOneofCase.Final)
                {
                    return RequestRecord.Completed(timer, response.Final.Usage?.CompletionTokens ?? timer.Chunks);
                }
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            return RequestRecord.Unfinished(timer.ElapsedSeconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return RequestRecord.Unfinished(timer.ElapsedSeconds);
        }
        catch (Exception e) when (e is RpcException or HttpRequestException or IOException)
        {
            return RequestRecord.Failed(LoadErrors.Classify(e), timer.ElapsedSeconds);
        }

        return RequestRecord.Failed(LoadErrors.IncompleteStream, timer.ElapsedSeconds);
    }

    private async Task<AsyncServerStreamingCall<ChatResponse>> StartAsync(LoadRequest request, Message message, SamplingOptions sampling, CancellationToken cancellationToken)
    {
        if (request.SessionId is null)
        {
            return _client.Generate(new GenerateRequest { Messages = { message }, Sampling = sampling, Model = _model }, _auth, cancellationToken: cancellationToken);
        }

        if (request.FirstTurn)
        {
            await _client.CreateSessionAsync(new CreateSessionRequest { SessionId = request.SessionId, Model = _model }, _auth, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return _client.Chat(new ChatRequest { SessionId = request.SessionId, Message = message, Sampling = sampling }, _auth, cancellationToken: cancellationToken);
    }
}
