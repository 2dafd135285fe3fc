using Grpc.Core;
using Qwen2VL.Gateway.Auth;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Gateway.Validation;

namespace Qwen2VL.Gateway.Grpc;

/// <summary>
/// Who is calling, read from the call's metadata the way the HTTP API reads its headers: gRPC metadata travels as
/// HTTP/2 headers, so <c>authorization: Bearer &lt;key&gt;</c> goes through the same <see cref="TenantAuthenticator"/>.
/// </summary>
public sealed class GrpcCaller
{
    /// <summary>Metadata that may carry the idempotency key instead of the request's request_id.</summary>
    public const string IdempotencyKeyHeader = "idempotency-key";

    private readonly TenantAuthenticator _authenticator;

    public GrpcCaller(TenantAuthenticator authenticator)
    {
        _authenticator = authenticator;
    }

    /// <summary>The caller's tenant; a missing or unknown key fails as UNAUTHENTICATED.</summary>
    public ValueTask<string> AuthenticateAsync(ServerCallContext context) =>
        _authenticator.AuthenticateAsync(context.GetHttpContext().Request, context.CancellationToken);

    /// <summary>The call's idempotency key from request_id or the metadata; both may be sent only if they agree.</summary>
    public static string? IdempotencyKey(string requestId, ServerCallContext context)
    {
        string? fromField = ConversationRules.CheckRequestKey(requestId, "request_id");
        string? fromMetadata = ConversationRules.CheckRequestKey(context.RequestHeaders.GetValue(IdempotencyKeyHeader), IdempotencyKeyHeader);
        if (fromField is not null && fromMetadata is not null && fromField != fromMetadata)
        {
            throw OpenAiException.BadRequest($"request_id '{fromField}' and the {IdempotencyKeyHeader} metadata '{fromMetadata}' differ; send one of them", "request_id");
        }

        return fromField ?? fromMetadata;
    }
}
