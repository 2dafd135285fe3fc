using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Grpc;

/// <summary>
/// Maps what the chat service throws to gRPC statuses in one place, so that each method only throws the gateway's
/// own exceptions. A call the client cancelled is left alone: gRPC reports CANCELLED itself.
/// </summary>
public sealed partial class ErrorMappingInterceptor : Interceptor
{
    private readonly ILogger<ErrorMappingInterceptor> _logger;

    public ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger)
    {
        _logger = logger;
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e) when (ShouldMap(e, context))
        {
            throw Map(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (ShouldMap(e, context))
        {
            throw Map(e, context);
        }
    }

    private static bool ShouldMap(Exception e, ServerCallContext context) =>
        e is not RpcException && !(e is OperationCanceledException && context.CancellationToken.IsCancellationRequested);

    private RpcException Map(Exception e, ServerCallContext context)
    {
        var mapped = e switch
        {
            OpenAiException openAi => RpcErrors.From(openAi),
            ChatBackendException backend => RpcErrors.From(backend),
            _ => RpcErrors.Internal(),
        };
        if (mapped.StatusCode is StatusCode.Internal or StatusCode.Unknown)
        {
            LogServerError(_logger, e, context.Method);
        }

        return mapped;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "gRPC call {Method} failed")]
    private static partial void LogServerError(ILogger logger, Exception exception, string method);
}
