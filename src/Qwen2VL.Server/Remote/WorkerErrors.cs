using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Status = Google.Rpc.Status;

namespace Qwen2VL.Server.Remote;

/// <summary>
/// Errors of the worker gRPC API: a status code that says who is at fault (INVALID_ARGUMENT the request,
/// FAILED_PRECONDITION the caller's KV lease, UNAVAILABLE the worker) and a google.rpc.ErrorInfo detail whose reason
/// is the stable code, for example <c>context_length_exceeded</c>. A status without that detail did not come from a
/// worker: the connection failed or the process died.
/// </summary>
public static class WorkerErrors
{
    /// <summary>The ErrorInfo domain of every error a worker raises.</summary>
    public const string Domain = "qwen2vl.worker.v1";

    /// <summary>An error with <paramref name="reason"/> as its ErrorInfo reason.</summary>
    public static RpcException Create(StatusCode code, string reason, string message)
    {
        var status = new Status { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = reason, Domain = Domain }));
        return status.ToRpcException();
    }

    /// <summary>The reason a worker gave for <paramref name="error"/>, or null when no worker raised it.</summary>
    public static string? ReasonOf(RpcException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var info = error.GetRpcStatus()?.GetDetail<ErrorInfo>();
        return info is { Domain: Domain } ? info.Reason : null;
    }
}
