namespace Qwen2VL.Gateway.Auth;

/// <summary>How callers are authenticated. Bound from <c>Qwen2VL:Auth</c>.</summary>
public sealed class GatewayAuthOptions
{
    /// <summary>
    /// Accept requests without an API key, as tenant <see cref="AnonymousTenant"/>. Only honoured when every
    /// listening address is loopback (the embedded default on a laptop); a server bound to a network address refuses
    /// to start with it.
    /// </summary>
    public bool AllowAnonymous { get; set; }

    public string AnonymousTenant { get; set; } = "local";
}
