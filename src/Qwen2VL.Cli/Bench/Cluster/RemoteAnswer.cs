using System.Diagnostics;
using System.Text;
using Grpc.Core;
using Qwen2VL.Api.V1;

namespace Qwen2VL.Cli.Bench.Cluster;

/// <summary>One greedy answer streamed through the public gRPC API, timed on the caller's clock.</summary>
internal static class RemoteAnswer
{
    public static async Task<TimedAnswer> GenerateAsync(ChatService.ChatServiceClient client, string prompt, int maxTokens, Stopwatch clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(clock);
        var request = new GenerateRequest
        {
            Messages = { new Message { Role = Role.User, Content = { new ContentPart { Text = prompt } } } },
            Sampling = new SamplingOptions { Temperature = 0, MaxTokens = maxTokens },
        };
        double? first = null;
        double last = 0;
        var text = new StringBuilder();
        using var call = client.Generate(request, cancellationToken: cancellationToken);
        await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (response.EventCase == ChatResponse.EventOneofCase.Delta)
            {
                last = clock.Elapsed.TotalSeconds;
                first ??= last;
                text.Append(response.Delta.Text);
            }
            else if (response.EventCase == ChatResponse.EventOneofCase.Final)
            {
                return new TimedAnswer(first ?? last, last, response.Final.Usage.CompletionTokens, text.ToString());
            }
        }

        throw new InvalidOperationException("the answer stream ended without its final message");
    }
}
