namespace Qwen2VL.Server.Tests.Hub;

/// <summary>Failures the fake hub can inject, switched on by tests.</summary>
public sealed class FakeHubFaults
{
    private long _cutAfterBytesOnce = -1;
    private int _serverErrorsToSend;

    /// <summary>The next content download is cut (connection aborted) after this many bytes; one time only.</summary>
    public long CutAfterBytesOnce
    {
        set => Interlocked.Exchange(ref _cutAfterBytesOnce, value);
    }

    /// <summary>The CDN ignores Range headers and always sends the whole file with 200.</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>The CDN flips one byte of every file it serves.</summary>
    public bool CorruptContent { get; set; }

    /// <summary>The next this-many hub requests (API and resolve) answer 503.</summary>
    public int ServerErrorsToSend
    {
        set => Interlocked.Exchange(ref _serverErrorsToSend, value);
    }

    /// <summary>Takes the one-time cut, if any: the byte count to cut after, or -1.</summary>
    public long TakeCut() => Interlocked.Exchange(ref _cutAfterBytesOnce, -1);

    /// <summary>Whether this request should answer 503 (and counts it).</summary>
    public bool TakeServerError()
    {
        while (true)
        {
            int left = Volatile.Read(ref _serverErrorsToSend);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _serverErrorsToSend, left - 1, left) == left)
            {
                return true;
            }
        }
    }
}
