namespace Qwen2VL.Engine;

/// <summary>
/// Accounts the worker's KV-cache capacity in tokens. Every cache (running or idle) holds a reservation; the engine
/// admits, grows, evicts and preempts so the sum never exceeds the capacity, which keeps process memory bounded.
/// Not thread-safe: only the scheduler loop touches it.
/// </summary>
public sealed class KvTokenBudget
{
    public KvTokenBudget(int capacityTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityTokens);
        Capacity = capacityTokens;
    }

    public int Capacity { get; }

    public int Reserved { get; private set; }

    public int Free => Capacity - Reserved;

    /// <summary>Fraction of the capacity in use, 0..1.</summary>
    public double Usage => (double)Reserved / Capacity;

    public bool TryReserve(int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        if (tokens > Free)
        {
            return false;
        }

        Reserved += tokens;
        return true;
    }

    public void Release(int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        if (tokens > Reserved)
        {
            throw new InvalidOperationException($"releasing {tokens} KV tokens but only {Reserved} are reserved");
        }

        Reserved -= tokens;
    }
}
