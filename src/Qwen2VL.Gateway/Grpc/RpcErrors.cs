using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.OpenAi;
using Status = Google.Rpc.Status;

namespace Qwen2VL.Gateway.Grpc;

/// <summary>
/// Turns the gateway's failures into <see cref="RpcException"/>s with the status code gRPC clients expect and
/// google.rpc details in the trailers: ErrorInfo (a stable reason), BadRequest (the field at fault) and RetryInfo
/// (when to retry), plus <c>grpc-retry-pushback-ms</c> for clients whose retry policy honours it.
/// </summary>
public static class RpcErrors
{
    /// <summary>The ErrorInfo domain of every error this API raises.</summary>
    public const string Domain = "qwen2vl.v1";

    public static RpcException From(ChatBackendException e)
    {
        var code = e.Failure switch
        {
            ChatFailure.InvalidRequest or ChatFailure.ContextTooLong => StatusCode.InvalidArgument,
            ChatFailure.NotFound => StatusCode.NotFound,
            ChatFailure.AlreadyExists => StatusCode.AlreadyExists,
            ChatFailure.PermissionDenied => StatusCode.PermissionDenied,
            ChatFailure.RateLimited => StatusCode.ResourceExhausted,
            ChatFailure.Unavailable => StatusCode.Unavailable,
            _ => StatusCode.Internal,
        };
        string reason = e.Code ?? e.Failure switch
        {
            ChatFailure.InvalidRequest => "invalid_request",
            ChatFailure.ContextTooLong => "context_length_exceeded",
            ChatFailure.NotFound => "not_found",
            ChatFailure.AlreadyExists => "already_exists",
            ChatFailure.PermissionDenied => "permission_denied",
            ChatFailure.RateLimited => "rate_limited",
            ChatFailure.Unavailable => "unavailable",
            _ => "internal",
        };
        return Build(code, e.Message, reason, e.Param, e.RetryAfter);
    }

    public static RpcException From(OpenAiException e)
    {
        var code = e.StatusCode switch
        {
            400 or 413 or 422 => StatusCode.InvalidArgument,
            401 => StatusCode.Unauthenticated,
            403 => StatusCode.PermissionDenied,
            404 => StatusCode.NotFound,
            409 => StatusCode.AlreadyExists,
            429 => StatusCode.ResourceExhausted,
            503 => StatusCode.Unavailable,
            _ => StatusCode.Internal,
        };
        var retryAfter = e.RetryAfterSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        return Build(code, e.Message, e.Code ?? e.Type, e.Param, retryAfter);
    }

    /// <summary>A failure nobody anticipated: the caller learns nothing of its insides.</summary>
    public static RpcException Internal() =>
        Build(StatusCode.Internal, "the server failed to process the request", "internal", field: null, retryAfter: null);

    private static RpcException Build(StatusCode code, string message, string reason, string? field, TimeSpan? retryAfter)
    {
        var status = new Status { Code = (int)code, Message = message };
        var info = new ErrorInfo { Reason = reason.ToUpperInvariant(), Domain = Domain };
        if (field is not null)
        {
            info.Metadata["field"] = field;
        }

        status.Details.Add(Any.Pack(info));
        if (code == StatusCode.InvalidArgument && field is not null)
        {
            status.Details.Add(Any.Pack(new BadRequest
            {
                FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = message } },
            }));
        }

        var trailers = new Metadata();
        if (retryAfter is { } delay && delay > TimeSpan.Zero)
        {
            status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }));
            trailers.Add("grpc-retry-pushback-ms", ((long)Math.Ceiling(delay.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        trailers.SetRpcStatus(status);
        return new RpcException(new global::Grpc.Core.Status(code, message), trailers, message);
    }
}
