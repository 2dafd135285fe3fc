namespace Qwen2VL.Cli.Bench.Load;

/// <summary>
/// Requests counted as they are sent, apart from the records of how they ended, so the report can show that every
/// request sent was accounted for.
/// </summary>
internal sealed class RequestCounts
{
    private int _started;
    private int _withImage;
    private int _sessionTurns;

    public int Started => Volatile.Read(ref _started);

    public int WithImage => Volatile.Read(ref _withImage);

    public int SessionTurns => Volatile.Read(ref _sessionTurns);

    public void Count(LoadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Interlocked.Increment(ref _started);
        if (request.Image is not null)
        {
            Interlocked.Increment(ref _withImage);
        }

        if (request.SessionId is not null)
        {
            Interlocked.Increment(ref _sessionTurns);
        }
    }
}
