using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Worker.V1;
using GrainFinishReason = Qwen2VL.Grains.Abstractions.Sessions.FinishReason;
using WireFinishReason = Qwen2VL.Worker.V1.FinishReason;

namespace Qwen2VL.Server.Remote;

/// <summary>Converts generation events between the grains' records and the worker API's <see cref="TokenEvent"/>.</summary>
public static class WorkerEventWire
{
    /// <summary>The wire event for <paramref name="generation"/>.</summary>
    public static TokenEvent ToProto(GenerationEvent generation) => generation switch
    {
        GeneratedTokens tokens => new TokenEvent { Tokens = new TokenChunk { Text = tokens.Text, TokenIds = { tokens.TokenIds } } },
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
            TokenEvent.EventOneofCase.Tokens => new GeneratedTokens(wire.Tokens.Text, wire.Tokens.TokenIds.ToArray()),
            TokenEvent.EventOneofCase.Finished => new GenerationFinished(
                wire.Finished.FinishReason == WireFinishReason.Length ? GrainFinishReason.Length : GrainFinishReason.Stop,
                wire.Finished.PromptTokens,
                wire.Finished.CachedPromptTokens),
            _ => null,
        };
    }
}
