using System.Text;
using Grpc.Core;
using Qwen2VL.Api.V1;

namespace Qwen2VL.Gateway.Tests.Grpc;

/// <summary>Reads a streamed answer to its end.</summary>
public static class ResponseStreams
{
    public static async Task<(string Text, List<Delta> Deltas, Final Final)> ReadAllAsync(AsyncServerStreamingCall<ChatResponse> call)
    {
        var text = new StringBuilder();
        var deltas = new List<Delta>();
        Final? final = null;
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            Assert.Null(final);
            if (response.EventCase == ChatResponse.EventOneofCase.Delta)
            {
                deltas.Add(response.Delta);
                text.Append(response.Delta.Text);
            }
            else
            {
                final = response.Final;
            }
        }

        return (text.ToString(), deltas, final ?? throw new InvalidOperationException("the stream ended without a final message"));
    }
}
