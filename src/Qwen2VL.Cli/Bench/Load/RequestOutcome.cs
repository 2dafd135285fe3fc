namespace Qwen2VL.Cli.Bench.Load;

/// <summary>The three ways a request of a load run ends.</summary>
internal enum RequestOutcome
{
    /// <summary>The stream ended with a finish reason.</summary>
    Completed,

    /// <summary>The server refused or broke the request, or the connection failed.</summary>
    Failed,

    /// <summary>Still running when the drain limit after the run's duration cancelled it.</summary>
    Unfinished,
}
