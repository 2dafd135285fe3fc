using Microsoft.AspNetCore.Http;
using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Auth;

/// <summary>Finds the tenant of an HTTP request from its <c>Authorization: Bearer</c> header.</summary>
public sealed class TenantAuthenticator
{
    private readonly ITenantResolver _resolver;
    private readonly GatewayAuthOptions _options;

    public TenantAuthenticator(ITenantResolver resolver, GatewayAuthOptions options)
    {
        _resolver = resolver;
        _options = options;
    }

    /// <summary>Returns the tenant id or throws a 401 <see cref="OpenAiException"/>.</summary>
    public async ValueTask<string> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        string? header = request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            if (_options.AllowAnonymous)
            {
                return _options.AnonymousTenant;
            }

            throw new OpenAiException(401, "authentication_error",
                "no API key provided: send it as 'Authorization: Bearer <key>'", code: "missing_api_key");
        }

        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || header.Length == scheme.Length)
        {
            throw new OpenAiException(401, "authentication_error",
                "the Authorization header must be 'Bearer <key>'", code: "invalid_api_key");
        }

        string key = header[scheme.Length..].Trim();
        string? tenant = await _resolver.ResolveAsync(key, cancellationToken).ConfigureAwait(false);
        if (tenant is null && _options.AllowAnonymous)
        {
            // OpenAI clients insist on sending some key; without auth any key is the anonymous tenant (as in vLLM).
            return _options.AnonymousTenant;
        }

        return tenant ?? throw new OpenAiException(401, "authentication_error",
            "incorrect API key provided", code: "invalid_api_key");
    }
}
