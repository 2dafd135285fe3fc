using System.CommandLine;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Qwen2VL.Api.V1;
using Qwen2VL.Engine;
using Qwen2VL.Engine.Text;
using Qwen2VL.Model;
using Qwen2VL.Model.Sampling;
using Qwen2VL.Model.Stages;
using Qwen2VL.Processing.Media;
using Qwen2VL.Processing.Prompt;
using Qwen2VL.Processing.Video;

namespace Qwen2VL.Cli.Generate;

/// <summary>
/// <c>generate</c>: answers one prompt with a local checkpoint (<c>--model</c>) or a running server (<c>--server</c>),
/// streaming the text to standard output, or printing one JSON object with <c>--json</c>.
/// </summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "checkpoint folder to run locally" };
        var server = new Option<string?>("--server") { Description = "gRPC address of a running server, e.g. http://127.0.0.1:8081" };
        var apiKey = new Option<string?>("--api-key") { Description = "API key for --server" };
        var prompt = new Option<string?>("--prompt") { Description = "the user's text" };
        var images = new Option<string[]>("--image") { Description = "image file or URL (repeatable)", AllowMultipleArgumentsPerToken = false };
        var video = new Option<string?>("--video") { Description = "video file or URL" };
        var messages = new Option<string?>("--messages") { Description = "JSON file with OpenAI-style chat messages" };
        var maxTokens = new Option<int>("--max-tokens") { Description = "most tokens to generate", DefaultValueFactory = _ => 256 };
        var temperature = new Option<float>("--temperature") { Description = "0 is greedy", DefaultValueFactory = _ => 0f };
        var topP = new Option<float>("--top-p") { DefaultValueFactory = _ => 1f };
        var topK = new Option<int>("--top-k") { DefaultValueFactory = _ => 0 };
        var seed = new Option<long?>("--seed");
        var dtype = new Option<string>("--dtype") { Description = "float32 | bfloat16", DefaultValueFactory = _ => "bfloat16" };
        var json = new Option<bool>("--json") { Description = "print {\"text\", \"token_ids\", \"prompt_tokens\"}" };
        var command = new Command("generate", "Generate an answer with a local model or a running server")
        {
            model, server, apiKey, prompt, images, video, messages, maxTokens, temperature, topP, topK, seed, dtype, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? promptText = parse.GetValue(prompt);
            string? messagesFile = parse.GetValue(messages);
            if ((promptText is null) == (messagesFile is null))
            {
                await Console.Error.WriteLineAsync("generate: give exactly one of --prompt or --messages").ConfigureAwait(false);
                return 2;
            }

            var conversation = messagesFile is not null
                ? CliMessages.FromFile(messagesFile)
                : CliMessages.FromPrompt(promptText!, parse.GetValue(images) ?? [], parse.GetValue(video));
            var settings = new GenerateSettings(parse.GetValue(maxTokens), parse.GetValue(temperature), parse.GetValue(topP), parse.GetValue(topK), parse.GetValue(seed));
            var output = new GenerateOutput(parse.GetValue(json));
            string? modelDir = parse.GetValue(model);
            string? serverAddress = parse.GetValue(server);
            if ((modelDir is null) == (serverAddress is null))
            {
                await Console.Error.WriteLineAsync("generate: give exactly one of --model or --server").ConfigureAwait(false);
                return 2;
            }

            try
            {
                if (modelDir is not null)
                {
                    await RunLocalAsync(modelDir, parse.GetValue(dtype)!, conversation, settings, output, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await RunRemoteAsync(serverAddress!, parse.GetValue(apiKey), conversation, settings, output, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is Processing.InvalidInputException or EngineRejectedException or RpcException or IOException or InvalidDataException)
            {
                await Console.Error.WriteLineAsync($"generate: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            output.Finish();
            return 0;
        });
        return command;
    }

    private static async Task RunLocalAsync(string modelDir, string dtype, IReadOnlyList<CliMessage> conversation, GenerateSettings settings, GenerateOutput output, CancellationToken cancellationToken)
    {
        using var stage = Qwen2VLStage.Load(modelDir, new ModelPlacement(TorchRuntime.ParseDType(dtype), TorchRuntime.ParseDevice("cpu")));
        var prompts = PromptBuilder.FromCheckpoint(modelDir);
        await using var engine = new InferenceEngine(stage, prompts.Tokenizer.EosTokenIds, new EngineOptions(), NullLogger<InferenceEngine>.Instance);
        var generator = new TextGenerator(engine, prompts);
        using var fetcher = new MediaFetcher(new MediaFetchOptions());
        var videos = new VideoLoader();
        var promptMessages = new List<PromptMessage>();
        foreach (var message in conversation)
        {
            var parts = new List<PromptPart>();
            foreach (var part in message.Parts)
            {
                parts.Add(part.Kind switch
                {
                    "text" => new PromptText(part.Text ?? ""),
                    "image" => new PromptImage(await CliMessages.LoadAsync(part.Source!, fetcher, cancellationToken).ConfigureAwait(false)),
                    _ => new PromptVideo(File.Exists(part.Source)
                        ? await videos.LoadFileAsync(part.Source!, cancellationToken: cancellationToken).ConfigureAwait(false)
                        : await videos.LoadBytesAsync(await CliMessages.LoadAsync(part.Source!, fetcher, cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false)),
                });
            }

            promptMessages.Add(new PromptMessage(message.Role, parts));
        }

        var request = new TextGenerationRequest
        {
            TenantId = "cli",
            SequenceKey = "cli",
            Messages = promptMessages,
            Sampling = new SamplingParameters(temperature: settings.Temperature, topP: settings.TopP, topK: settings.TopK, seed: settings.Seed, maxNewTokens: settings.MaxTokens),
        };
        await foreach (var item in generator.GenerateAsync(request, cancellationToken).ConfigureAwait(false))
        {
            switch (item)
            {
                case TextStarted started:
                    output.PromptTokens = started.PromptTokens;
                    break;
                case TextDelta delta:
                    output.Add(delta.Text, delta.Tokens.Select(t => t.TokenId));
                    break;
            }
        }
    }

    private static async Task RunRemoteAsync(string address, string? apiKey, IReadOnlyList<CliMessage> conversation, GenerateSettings settings, GenerateOutput output, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxSendMessageSize = 64 * 1024 * 1024, MaxReceiveMessageSize = 64 * 1024 * 1024 });
        var client = new ChatService.ChatServiceClient(channel);
        using var fetcher = new MediaFetcher(new MediaFetchOptions());
        var request = new GenerateRequest { Sampling = settings.ToProto() };
        foreach (var message in conversation)
        {
            request.Messages.Add(await ProtoMessages.ToProtoAsync(message, fetcher, cancellationToken).ConfigureAwait(false));
        }

        using var call = client.Generate(request, ProtoMessages.Auth(apiKey), cancellationToken: cancellationToken);
        await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (response.EventCase == ChatResponse.EventOneofCase.Delta)
            {
                output.Add(response.Delta.Text, Array.Empty<int>());
            }
            else
            {
                output.PromptTokens = response.Final.Usage.PromptTokens;
            }
        }
    }
}

/// <summary>Sampling options of the CLI.</summary>
public sealed record GenerateSettings(int MaxTokens, float Temperature, float TopP, int TopK, long? Seed)
{
    public SamplingOptions ToProto()
    {
        var options = new SamplingOptions { MaxTokens = MaxTokens, Temperature = Temperature, TopP = TopP };
        if (TopK > 0)
        {
            options.TopK = TopK;
        }

        if (Seed is long seed)
        {
            options.Seed = seed;
        }

        return options;
    }
}

/// <summary>Streams text to standard output, or collects it for one JSON object.</summary>
public sealed class GenerateOutput
{
    // Non-ASCII text stays readable UTF-8 rather than \u escapes.
    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly bool _json;
    private readonly StringBuilder _text = new();
    private readonly List<int> _tokens = new();

    public GenerateOutput(bool json) => _json = json;

    public int PromptTokens { get; set; }

    public void Add(string text, IEnumerable<int> tokenIds)
    {
        _text.Append(text);
        _tokens.AddRange(tokenIds);
        if (!_json)
        {
            Console.Out.Write(text);
            Console.Out.Flush();
        }
    }

    public void Finish()
    {
        if (_json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["text"] = _text.ToString(),
                ["token_ids"] = _tokens,
                ["prompt_tokens"] = PromptTokens,
            }, RelaxedJson));
        }
        else
        {
            Console.Out.WriteLine();
        }
    }
}
