using Google.Protobuf;
using Grpc.Core;
using Qwen2VL.Api.V1;
using Qwen2VL.Processing.Media;

namespace Qwen2VL.Cli.Generate;

/// <summary>Turns CLI messages into the public API's messages; local files travel as bytes, URLs as URLs.</summary>
public static class ProtoMessages
{
    public static async Task<Message> ToProtoAsync(CliMessage message, MediaFetcher fetcher, CancellationToken cancellationToken)
    {
        var proto = new Message
        {
            Role = message.Role switch
            {
                "system" => Role.System,
                "assistant" => Role.Assistant,
                "tool" => Role.Tool,
                _ => Role.User,
            },
        };
        foreach (var part in message.Parts)
        {
            if (part.Kind == "text")
            {
                proto.Content.Add(new ContentPart { Text = part.Text ?? "" });
                continue;
            }

            var media = part.Source!.StartsWith("http", StringComparison.OrdinalIgnoreCase) || part.Source.StartsWith("data:", StringComparison.OrdinalIgnoreCase)
                ? new Media { Url = part.Source }
                : new Media { Data = ByteString.CopyFrom(await CliMessages.LoadAsync(part.Source, fetcher, cancellationToken).ConfigureAwait(false)) };
            proto.Content.Add(part.Kind == "image" ? new ContentPart { Image = media } : new ContentPart { Video = media });
        }

        return proto;
    }

    public static Metadata Auth(string? apiKey) => apiKey is null ? new Metadata() : new Metadata { { "authorization", $"Bearer {apiKey}" } };
}
