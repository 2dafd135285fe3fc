namespace Qwen2VL.Grains.Abstractions.Idempotency;

/// <summary>What a claim on an idempotency key found.</summary>
public enum ClaimOutcome
{
    /// <summary>The key was free: run the request, then complete or abandon the claim.</summary>
    Claimed = 0,

    /// <summary>The same request already completed: replay its stored result.</summary>
    Completed = 1,

    /// <summary>The same request is running under another claim; retry once it has finished.</summary>
    InProgress = 2,

    /// <summary>The key belongs to a different request (another body was sent with it).</summary>
    KeyReused = 3,
}
