namespace Qwen2VL.Server.Hosting;

/// <summary>
/// How the server rides out the loss of a silo (section <c>Qwen2VL:ControlPlane</c>): how long Orleans waits for any
/// one answer, how quickly a silo that stopped answering is declared dead (its grains then reactivate on the others,
/// from the state store), and how long the gateway keeps retrying a call that failed because a silo died.
/// </summary>
public sealed class ControlPlaneOptions
{
    /// <summary>
    /// Orleans' response timeout for every grain call, in silos and clients (Orleans' default is 30 s). A call to a
    /// silo that died without a word fails after this long at the latest. Streamed answers are not cut by it: Orleans
    /// long-polls an <c>IAsyncEnumerable</c> grain method and answers a poll with a heartbeat after half of it.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The initial timeout of the probes silos send each other (Orleans' default is 5 s); Orleans adapts the effective
    /// timeout and probe period per silo between half and four times this from the answers it sees.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Missed probes in a row after which a silo votes the probed one dead (Orleans' default is 3).</summary>
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>
    /// How long the gateway keeps retrying a call that failed because a silo died or did not answer, before it answers
    /// 503 <c>cluster_unavailable</c>: a little more than it takes to declare a hard-killed silo dead and reactivate its
    /// grains elsewhere. Zero turns retries off.
    /// </summary>
    public TimeSpan RetryDeadline { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Validates the options; throws with the offending value.</summary>
    public void Validate()
    {
        if (ResponseTimeout <= TimeSpan.Zero || ProbeTimeout <= TimeSpan.Zero || MissedProbesLimit <= 0 || RetryDeadline < TimeSpan.Zero)
        {
            throw new ArgumentException(
                $"ControlPlane timeouts must be positive: ResponseTimeout={ResponseTimeout}, ProbeTimeout={ProbeTimeout}, " +
                $"MissedProbesLimit={MissedProbesLimit}, RetryDeadline={RetryDeadline} (zero allowed: no retries)");
        }
    }
}
