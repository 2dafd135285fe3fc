namespace Qwen2VL.Grains.Sessions;

/// <summary>How sessions run their turns.</summary>
public sealed class SessionGrainOptions
{
    /// <summary>Pipelines tried for one turn before giving up with a retriable error.</summary>
    public int MaxGenerationAttempts { get; set; } = 3;

    /// <summary>The retry hint given when no pipeline could finish a turn.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long deleting a session waits for the pipeline to drop its cache.</summary>
    public TimeSpan ReleaseCacheTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
