namespace Qwen2VL.Server.Worker;

/// <summary>
/// This worker cannot serve the request now, though another pipeline could: it is overloaded or shutting down, or a
/// later stage of its pipeline failed. Callers move to another pipeline.
/// </summary>
public sealed class WorkerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">A stable reason such as <c>overloaded</c>, <c>shutting_down</c> or <c>stage_state_lost</c>.</param>
    /// <param name="message">What happened.</param>
    /// <param name="cacheLost">Whether the worker's kept caches are gone (a later stage lost its state).</param>
    /// <param name="innerException">The engine's or the stage's error.</param>
    public WorkerUnavailableException(string code, string message, bool cacheLost, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        CacheLost = cacheLost;
    }

    /// <summary>The stable reason.</summary>
    public string Code { get; }

    /// <summary>Whether the caches the caller's lease refers to are gone.</summary>
    public bool CacheLost { get; }
}
