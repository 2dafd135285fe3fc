using System.CommandLine;
using Grpc.Core;
using Grpc.Net.Client;
using Qwen2VL.Api.V1;
using Qwen2VL.Processing.Media;

namespace Qwen2VL.Cli.Generate;

/// <summary>
/// <c>chat</c>: an interactive conversation kept on the server as a session. Type a message and press Enter;
/// <c>/image &lt;path&gt;</c> attaches an image to the next message, <c>/exit</c> leaves.
/// </summary>
public static class ChatCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "gRPC address of a running server", DefaultValueFactory = _ => "http://127.0.0.1:8081" };
        var apiKey = new Option<string?>("--api-key") { Description = "API key" };
        var session = new Option<string?>("--session") { Description = "continue this session instead of creating one" };
        var system = new Option<string?>("--system") { Description = "system prompt of a new session" };
        var maxTokens = new Option<int>("--max-tokens") { DefaultValueFactory = _ => 512 };
        var command = new Command("chat", "Chat interactively over a server-side session") { server, apiKey, session, system, maxTokens };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var channel = GrpcChannel.ForAddress(parse.GetValue(server)!, new GrpcChannelOptions { MaxSendMessageSize = 64 * 1024 * 1024 });
            var client = new ChatService.ChatServiceClient(channel);
            var auth = ProtoMessages.Auth(parse.GetValue(apiKey));
            using var fetcher = new MediaFetcher(new MediaFetchOptions());
            try
            {
                string sessionId = parse.GetValue(session)
                    ?? (await client.CreateSessionAsync(new CreateSessionRequest { SystemPrompt = parse.GetValue(system) ?? "" }, auth, cancellationToken: cancellationToken)).SessionId;
                Console.Error.WriteLine($"session {sessionId} — /image <path> attaches an image, /exit quits");
                var pending = new List<string>();
                while (await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                {
                    if (line.Trim() == "/exit")
                    {
                        break;
                    }

                    if (line.StartsWith("/image ", StringComparison.Ordinal))
                    {
                        pending.Add(line[7..].Trim());
                        continue;
                    }

                    var parts = pending.Select(p => new CliPart("image", Source: p)).Append(CliPart.FromText(line)).ToList();
                    pending.Clear();
                    var request = new ChatRequest
                    {
                        SessionId = sessionId,
                        Message = await ProtoMessages.ToProtoAsync(new CliMessage("user", parts), fetcher, cancellationToken).ConfigureAwait(false),
                        Sampling = new SamplingOptions { MaxTokens = parse.GetValue(maxTokens) },
                    };
                    using var call = client.Chat(request, auth, cancellationToken: cancellationToken);
                    await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                    {
                        if (response.EventCase == ChatResponse.EventOneofCase.Delta)
                        {
                            Console.Out.Write(response.Delta.Text);
                        }
                    }

                    Console.Out.WriteLine();
                }
            }
            catch (RpcException e)
            {
                await Console.Error.WriteLineAsync($"chat: {e.Status.Detail} ({e.StatusCode})").ConfigureAwait(false);
                return 1;
            }

            return 0;
        });
        return command;
    }
}
