using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Worker.V1;
using AlternativeLogprob = Qwen2VL.Grains.Abstractions.Generation.AlternativeLogprob;
using GrainFinishReason = Qwen2VL.Grains.Abstractions.Sessions.FinishReason;
using WireAlternative = Qwen2VL.Worker.V1.AlternativeLogprob;
using WireFinishReason = Qwen2VL.Worker.V1.FinishReason;

namespace Qwen2VL.Server.Remote;

/// <summary>Converts generation events between the grains' records and the worker API's <see cref="TokenEvent"/>.</summary>
public static class WorkerEventWire
{
    /// <summary>The wire event for <paramref name="generation"/>.</summary>
    public static TokenEvent ToProto(GenerationEvent generation) => generation switch
    {
        GeneratedTokens tokens => new TokenEvent { Tokens = ToProto(tokens) },
        GenerationFinished end => new TokenEvent
        {
            Finished = new GenerateEnd
            {
                FinishReason = end.FinishReason == GrainFinishReason.Length ? WireFinishReason.Length : WireFinishReason.Stop,
                PromptTokens = end.PromptTokens,
                CachedPromptTokens = end.CachedPromptTokens,
            },
        },
        _ => throw new ArgumentException($"unknown generation event {generation?.GetType().Name}", nameof(generation)),
    };

    /// <summary>The event <paramref name="wire"/> carries, or null when it carries none (a newer worker's event kind).</summary>
    public static GenerationEvent? FromProto(TokenEvent wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        return wire.EventCase switch
        {
            TokenEvent.EventOneofCase.Tokens => FromProto(wire.Tokens),
            TokenEvent.EventOneofCase.Finished => new GenerationFinished(
                wire.Finished.FinishReason == WireFinishReason.Length ? GrainFinishReason.Length : GrainFinishReason.Stop,
                wire.Finished.PromptTokens,
                wire.Finished.CachedPromptTokens),
            _ => null,
        };
    }

    private static TokenChunk ToProto(GeneratedTokens tokens)
    {
        var chunk = new TokenChunk { Text = tokens.Text, TokenIds = { tokens.TokenIds } };
        foreach (var token in tokens.Logprobs ?? [])
        {
            var wire = new TokenLogprob { Token = token.Token, Logprob = token.Logprob };
            wire.TopLogprobs.Add(token.TopLogprobs.Select(t => new WireAlternative { Token = t.Token, Logprob = t.Logprob }));
            chunk.Logprobs.Add(wire);
        }

        return chunk;
    }

    private static GeneratedTokens FromProto(TokenChunk chunk)
    {
        // A worker that was not asked for logprobs sends none; one entry per token otherwise.
        var logprobs = chunk.Logprobs.Count == 0 ? null : chunk.Logprobs
            .Select(t => new GeneratedLogprob(t.Token, t.Logprob, t.TopLogprobs.Select(a => new AlternativeLogprob(a.Token, a.Logprob)).ToArray()))
            .ToArray();
        return new GeneratedTokens(chunk.Text, chunk.TokenIds.ToArray(), logprobs);
    }
}
