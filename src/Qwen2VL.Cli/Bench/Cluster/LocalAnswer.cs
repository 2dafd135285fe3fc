using System.Diagnostics;
using System.Text;
using Qwen2VL.Engine.Text;
using Qwen2VL.Model.Sampling;
using Qwen2VL.Processing.Prompt;

namespace Qwen2VL.Cli.Bench.Cluster;

/// <summary>One greedy answer from an engine in this process, built from the same chat message a server would receive.</summary>
internal static class LocalAnswer
{
    public static async Task<TimedAnswer> GenerateAsync(TextGenerator generator, string prompt, int maxTokens, Stopwatch clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(clock);
        var request = new TextGenerationRequest
        {
            TenantId = "bench",
            SequenceKey = $"local-{Guid.NewGuid():n}",
            Messages = [PromptMessage.Text("user", prompt)],
            Sampling = new SamplingParameters(temperature: 0, maxNewTokens: maxTokens),
        };
        double? first = null;
        double last = 0;
        int tokens = 0;
        var text = new StringBuilder();
        await foreach (var item in generator.GenerateAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (item is TextDelta delta)
            {
                last = clock.Elapsed.TotalSeconds;
                first ??= last;
                tokens += delta.Tokens.Count;
                text.Append(delta.Text);
            }
        }

        return new TimedAnswer(first ?? last, last, tokens, text.ToString());
    }
}
