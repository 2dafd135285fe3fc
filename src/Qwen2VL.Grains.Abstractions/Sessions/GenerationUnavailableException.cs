namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>
/// No pipeline could finish the turn: none serves the model, or every attempt failed. Nothing was stored, so the
/// same request (same request id) can be retried after <see cref="RetryAfter"/>.
/// </summary>
[GenerateSerializer]
public sealed class GenerationUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="sessionKey">The session whose turn failed.</param>
    /// <param name="modelId">The model asked for.</param>
    /// <param name="attempts">How many pipelines were tried.</param>
    /// <param name="triedPipelines">The ids of the pipelines tried, in order.</param>
    /// <param name="retryAfter">A hint for when a retry may succeed.</param>
    /// <param name="lastFailure">The last failure's message, if any pipeline was tried.</param>
    public GenerationUnavailableException(
        string sessionKey, string modelId, int attempts, IReadOnlyList<string> triedPipelines, TimeSpan retryAfter, string? lastFailure)
        : base($"no pipeline for model '{modelId}' could serve session '{sessionKey}' after {attempts} attempt(s)"
               + (triedPipelines.Count > 0 ? $" on [{string.Join(", ", triedPipelines)}]" : string.Empty)
               + (lastFailure is null ? string.Empty : $"; last failure: {lastFailure}")
               + $"; retry in {retryAfter.TotalSeconds:0.#} s")
    {
        SessionKey = sessionKey;
        ModelId = modelId;
        Attempts = attempts;
        TriedPipelines = triedPipelines;
        RetryAfter = retryAfter;
    }

    /// <summary>The session whose turn failed.</summary>
    [Id(0)] public string SessionKey { get; private set; }

    /// <summary>The model asked for.</summary>
    [Id(1)] public string ModelId { get; private set; }

    /// <summary>How many pipelines were tried.</summary>
    [Id(2)] public int Attempts { get; private set; }

    /// <summary>The ids of the pipelines tried, in order.</summary>
    [Id(3)] public IReadOnlyList<string> TriedPipelines { get; private set; }

    /// <summary>A hint for when a retry may succeed.</summary>
    [Id(4)] public TimeSpan RetryAfter { get; private set; }

    /// <summary>Always true: nothing was stored, so the same request can be sent again.</summary>
    public bool IsRetriable => true;
}
