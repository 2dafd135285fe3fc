namespace Qwen2VL.Engine.Tests.Support;

/// <summary>The collected events of one generation.</summary>
public sealed record EngineRunResult(PromptProcessed? Prompt, List<int> Tokens, SequenceFinishReason? Finish);

public static class EngineRun
{
    public static async Task<EngineRunResult> CollectAsync(InferenceEngine engine, GenerationRequest request, CancellationToken cancellationToken = default)
    {
        PromptProcessed? prompt = null;
        var tokens = new List<int>();
        SequenceFinishReason? finish = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await foreach (var item in engine.GenerateAsync(request, timeout.Token))
        {
            switch (item)
            {
                case PromptProcessed p:
                    prompt = p;
                    break;
                case TokenGenerated t:
                    tokens.Add(t.TokenId);
                    break;
                case GenerationFinished f:
                    finish = f.Reason;
                    break;
            }
        }

        return new EngineRunResult(prompt, tokens, finish);
    }
}
