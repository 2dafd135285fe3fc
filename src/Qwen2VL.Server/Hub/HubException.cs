using System.Net;

namespace Qwen2VL.Server.Hub;

/// <summary>A model could not be fetched from the hub; the message says which URL and what the hub answered.</summary>
public class HubException : Exception
{
    /// <summary>Creates the exception with a message that names the URL, status and what to do.</summary>
    public HubException(string message, Uri? url = null, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Url = url;
        StatusCode = statusCode;
    }

    /// <summary>The request that failed, when the failure came from one.</summary>
    public Uri? Url { get; }

    /// <summary>The hub's HTTP status, when it answered.</summary>
    public HttpStatusCode? StatusCode { get; }
}
