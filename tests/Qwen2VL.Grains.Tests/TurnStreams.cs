using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Sessions;

namespace Qwen2VL.Grains.Tests;

/// <summary>Helpers for running turns in tests.</summary>
public static class TurnStreams
{
    /// <summary>A turn with one user text message.</summary>
    public static TurnRequest UserTurn(string text, string? requestId = null) =>
        new(requestId ?? Guid.NewGuid().ToString("n"), [ChatMessage.FromText(ChatRole.User, text)]);

    /// <summary>Runs a turn to its end and returns every event.</summary>
    public static async Task<List<TurnEvent>> CollectAsync(this IAsyncEnumerable<TurnEvent> events)
    {
        var all = new List<TurnEvent>();
        await foreach (var e in events)
        {
            all.Add(e);
        }

        return all;
    }

    /// <summary>The text of every delta, in order.</summary>
    public static string DeltaText(this IEnumerable<TurnEvent> events) =>
        string.Concat(events.OfType<TextDelta>().Select(d => d.Text));

    /// <summary>The token ids of every delta, in order.</summary>
    public static int[] DeltaTokenIds(this IEnumerable<TurnEvent> events) =>
        [.. events.OfType<TextDelta>().SelectMany(d => d.TokenIds)];

    /// <summary>The one completion event.</summary>
    public static TurnCompleted Completion(this IEnumerable<TurnEvent> events) => events.OfType<TurnCompleted>().Single();
}
