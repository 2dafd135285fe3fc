namespace Qwen2VL.Cli.Bench.Load;

/// <summary>Sends one request of the mix through one API, streaming, and records how it went. One per worker.</summary>
internal interface ILoadClient
{
    /// <summary>
    /// Sends <paramref name="request"/> and reads its stream to the end. Never throws for a failed request: the failure
    /// is classified in the record. <paramref name="cancellationToken"/> cancelling makes the record unfinished.
    /// </summary>
    Task<RequestRecord> SendAsync(LoadRequest request, CancellationToken cancellationToken);
}
