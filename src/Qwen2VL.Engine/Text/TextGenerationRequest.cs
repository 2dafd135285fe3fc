using Qwen2VL.Model.Sampling;
using Qwen2VL.Processing.Prompt;
using Qwen2VL.Processing.Text;

namespace Qwen2VL.Engine.Text;

/// <summary>A conversation to answer, with its media already fetched.</summary>
public sealed record TextGenerationRequest
{
    public required string TenantId { get; init; }

    /// <summary>Cache key, already scoped to the tenant (a session, or a prefix hash).</summary>
    public required string SequenceKey { get; init; }

    public required IReadOnlyList<PromptMessage> Messages { get; init; }

    public ChatTemplateOptions TemplateOptions { get; init; } = new();

    public required SamplingParameters Sampling { get; init; }

    /// <summary>Generation stops before any of these strings; the string itself is not returned.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = Array.Empty<string>();

    /// <summary>
    /// Answer tokens already generated (and delivered) by a pipeline that failed: they are appended after the prompt
    /// as they are, and generation continues from there.
    /// </summary>
    public IReadOnlyList<int> ContinuationTokenIds { get; init; } = Array.Empty<int>();

    /// <summary>Keep the KV cache after the turn for the next one with the same key.</summary>
    public bool KeepCache { get; init; }

    /// <summary>Other kept caches this prompt may continue, longest prefix first (see <see cref="GenerationRequest.ReuseKeys"/>).</summary>
    public IReadOnlyList<string> ReuseKeys { get; init; } = Array.Empty<string>();
}
