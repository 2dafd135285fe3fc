using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Text;
using OpenAI;
using OpenAI.Chat;

namespace Qwen2VL.Cli.Bench.Cluster;

/// <summary>One greedy answer streamed through the OpenAI-compatible HTTP API (official SDK), timed on the caller's clock.</summary>
internal static class HttpAnswer
{
    public static ChatClient Client(Uri server, string model) => new(model, new ApiKeyCredential("bench"),
        new OpenAIClientOptions { Endpoint = new Uri(server, "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0), NetworkTimeout = TimeSpan.FromMinutes(5) });

    public static async Task<TimedAnswer> GenerateAsync(ChatClient client, string prompt, int maxTokens, Stopwatch clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(clock);
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = maxTokens };
        double? first = null;
        double last = 0;
        int? tokens = null;
        var text = new StringBuilder();
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage(prompt)], options, cancellationToken).ConfigureAwait(false))
        {
            string chunk = string.Concat(update.ContentUpdate.Select(p => p.Text));
            if (chunk.Length > 0)
            {
                last = clock.Elapsed.TotalSeconds;
                first ??= last;
                text.Append(chunk);
            }

            tokens = update.Usage?.OutputTokenCount ?? tokens;
        }

        return new TimedAnswer(first ?? last, last, tokens ?? throw new InvalidOperationException("the stream reported no usage"), text.ToString());
    }
}
