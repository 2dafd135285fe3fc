using System.Runtime.CompilerServices;
using Qwen2VL.Gateway.Backend;

namespace Qwen2VL.Server.Tests.Telemetry;

/// <summary>A backend that answers every call with the same two deltas and fixed usage.</summary>
public sealed class FixedChatBackend : IChatBackend
{
    public const int PromptTokens = 17;
    public const int CompletionTokens = 2;

    public Task<IReadOnlyList<ServedModel>> ListModelsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ServedModel>>(new[] { new ServedModel("qwen2-vl-tiny", 4096, DateTimeOffset.UnixEpoch) });

    public async IAsyncEnumerable<ChatEvent> ChatAsync(ChatCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        yield return new ChatDelta("Hel", null);
        yield return new ChatDelta("lo", null);
        yield return new ChatCompleted("stop", PromptTokens, CompletionTokens, CachedPromptTokens: 0);
    }
}
