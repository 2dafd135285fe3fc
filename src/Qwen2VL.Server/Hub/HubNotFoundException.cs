using System.Net;

namespace Qwen2VL.Server.Hub;

/// <summary>The hub answered 404: the repo, the revision or the file does not exist.</summary>
public sealed class HubNotFoundException(string message, Uri url)
    : HubException(message, url, HttpStatusCode.NotFound);
