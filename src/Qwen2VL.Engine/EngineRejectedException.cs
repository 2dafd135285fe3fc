namespace Qwen2VL.Engine;

/// <summary>The engine cannot run a request: it can never fit, or the worker is overloaded. Carries a stable code.</summary>
public sealed class EngineRejectedException : Exception
{
    public EngineRejectedException(string code, string message, bool retriable)
        : base(message)
    {
        Code = code;
        Retriable = retriable;
    }

    /// <summary>context_length_exceeded, kv_budget_exceeded, overloaded, shutting_down, ...</summary>
    public string Code { get; }

    /// <summary>Whether the same request may succeed later (overload) rather than never (too long).</summary>
    public bool Retriable { get; }
}
