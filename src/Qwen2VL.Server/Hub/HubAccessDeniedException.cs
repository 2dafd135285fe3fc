using System.Net;

namespace Qwen2VL.Server.Hub;

/// <summary>
/// The hub answered 401 or 403: the token is missing or invalid, the model is gated and its terms are not
/// accepted, or the repo is private (the hub answers 401 for unknown repos too when no token is sent).
/// </summary>
public sealed class HubAccessDeniedException(string message, Uri url, HttpStatusCode statusCode)
    : HubException(message, url, statusCode);
