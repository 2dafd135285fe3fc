using Google.Protobuf;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Workers;
using Qwen2VL.Worker.V1;
using GrainMessage = Qwen2VL.Grains.Abstractions.Chat.ChatMessage;
using GrainPart = Qwen2VL.Grains.Abstractions.Chat.ContentPart;
using GrainRequest = Qwen2VL.Grains.Abstractions.Generation.GenerationRequest;
using MediaOptions = Qwen2VL.Grains.Abstractions.Chat.MediaOptions;
using WireMediaOptions = Qwen2VL.Worker.V1.MediaOptions;

namespace Qwen2VL.Server.Remote;

/// <summary>Converts generation requests between the grains' records and the worker API's <see cref="GenerateRequest"/>.</summary>
public static class WorkerRequestWire
{
    /// <summary>The wire request for <paramref name="request"/>, with the bytes of the media in <paramref name="mediaBytes"/> (by hash) attached once each.</summary>
    public static GenerateRequest ToProto(GrainRequest request, IReadOnlyDictionary<string, ReadOnlyMemory<byte>>? mediaBytes = null, TraceContext? trace = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var wire = new GenerateRequest
        {
            TenantId = request.TenantId,
            SequenceKey = request.SequenceKey,
            Sampling = ToProto(request.Sampling),
            KeepCache = request.KeepCache,
            RequestId = request.RequestId,
            InstanceId = request.Pipeline.Stages[0].InstanceId,
            Trace = trace,
        };
        wire.ContinuationTokenIds.Add(request.ContinuationTokenIds);
        wire.ReuseKeys.Add(request.ReuseKeys ?? []);
        if (request.MaxContextTokens is int limit)
        {
            wire.MaxContextTokens = limit;
        }

        var attached = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in request.Conversation)
        {
            var wireMessage = new ConversationMessage { Role = ToProto(message.Role), ToolCallId = message.ToolCallId ?? "" };
            foreach (var part in message.Content)
            {
                wireMessage.Parts.Add(part.Kind switch
                {
                    ContentKind.Image => new ConversationPart { Image = ToProto(part, mediaBytes, attached) },
                    ContentKind.Video => new ConversationPart { Video = ToProto(part, mediaBytes, attached) },
                    _ => new ConversationPart { Text = part.Text ?? "" },
                });
            }

            wire.Conversation.Add(wireMessage);
        }

        return wire;
    }

    /// <summary>
    /// The grain request <paramref name="request"/> describes, to run on <paramref name="self"/>.
    /// </summary>
    /// <exception cref="GenerationRejectedException">The request is malformed (<c>invalid_request</c>).</exception>
    public static GrainRequest FromProto(GenerateRequest request, PipelineReference self)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Conversation.Count == 0)
        {
            throw Invalid("the conversation has no messages");
        }

        var conversation = new List<GrainMessage>(request.Conversation.Count);
        for (int i = 0; i < request.Conversation.Count; i++)
        {
            var message = request.Conversation[i];
            var parts = message.Parts.Select((p, j) => FromProto(p, i, j)).ToArray();
            conversation.Add(new GrainMessage(FromProto(message.Role, i), parts, string.IsNullOrEmpty(message.ToolCallId) ? null : message.ToolCallId));
        }

        return new GrainRequest(self, request.TenantId, request.SequenceKey, conversation, FromProto(request.Sampling), request.KeepCache,
            request.RequestId, request.ContinuationTokenIds.ToArray(), request.HasMaxContextTokens && request.MaxContextTokens > 0 ? request.MaxContextTokens : null,
            request.ReuseKeys.Count > 0 ? request.ReuseKeys.ToArray() : null);
    }

    /// <summary>The media bytes sent with <paramref name="request"/>, by content hash.</summary>
    public static IReadOnlyDictionary<string, ReadOnlyMemory<byte>> InlineMedia(GenerateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var media = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var part in request.Conversation.SelectMany(m => m.Parts))
        {
            var item = part.KindCase switch
            {
                ConversationPart.KindOneofCase.Image => part.Image,
                ConversationPart.KindOneofCase.Video => part.Video,
                _ => null,
            };
            if (item is { Data.IsEmpty: false })
            {
                media.TryAdd(item.ContentHash, item.Data.Memory);
            }
        }

        return media;
    }

    private static MediaPart ToProto(GrainPart content, IReadOnlyDictionary<string, ReadOnlyMemory<byte>>? bytes, HashSet<string> attached)
    {
        var media = content.Media!;
        var part = new MediaPart { ContentHash = media.ContentHash, MediaType = media.MediaType, Options = ToProto(content.Options) };
        // A picture repeated across turns travels once; the worker finds it by hash for the other parts.
        if (bytes is not null && bytes.TryGetValue(media.ContentHash, out var data) && attached.Add(media.ContentHash))
        {
            part.Data = UnsafeByteOperations.UnsafeWrap(data);
        }

        return part;
    }

    private static GrainPart FromProto(ConversationPart part, int message, int index) => part.KindCase switch
    {
        ConversationPart.KindOneofCase.Text => GrainPart.FromText(part.Text),
        ConversationPart.KindOneofCase.Image => GrainPart.FromImage(FromProto(part.Image, message, index), FromProto(part.Image.Options)),
        ConversationPart.KindOneofCase.Video => GrainPart.FromVideo(FromProto(part.Video, message, index), FromProto(part.Video.Options)),
        _ => throw Invalid($"part {index} of message {message} is empty"),
    };

    private static WireMediaOptions? ToProto(MediaOptions? options)
    {
        if (options is null)
        {
            return null;
        }

        var wire = new WireMediaOptions();
        if (options.MinPixels is long minPixels) { wire.MinPixels = minPixels; }
        if (options.MaxPixels is long maxPixels) { wire.MaxPixels = maxPixels; }
        if (options.Fps is double fps) { wire.Fps = fps; }
        if (options.MaxFrames is int maxFrames) { wire.MaxFrames = maxFrames; }
        return wire;
    }

    private static MediaOptions? FromProto(WireMediaOptions? wire) => wire is null ? null : new MediaOptions
    {
        MinPixels = wire.HasMinPixels ? wire.MinPixels : null,
        MaxPixels = wire.HasMaxPixels ? wire.MaxPixels : null,
        Fps = wire.HasFps ? wire.Fps : null,
        MaxFrames = wire.HasMaxFrames ? wire.MaxFrames : null,
    };

    private static MediaReference FromProto(MediaPart media, int message, int index) =>
        string.IsNullOrEmpty(media.ContentHash)
            ? throw Invalid($"media part {index} of message {message} has no content hash")
            : new MediaReference(media.ContentHash, media.MediaType);

    private static MessageRole ToProto(ChatRole role) => role switch
    {
        ChatRole.System => MessageRole.System,
        ChatRole.Assistant => MessageRole.Assistant,
        ChatRole.Tool => MessageRole.Tool,
        _ => MessageRole.User,
    };

    private static ChatRole FromProto(MessageRole role, int message) => role switch
    {
        MessageRole.System => ChatRole.System,
        MessageRole.User => ChatRole.User,
        MessageRole.Assistant => ChatRole.Assistant,
        MessageRole.Tool => ChatRole.Tool,
        _ => throw Invalid($"message {message} has no role"),
    };

    private static GenerationSampling ToProto(SamplingSettings settings)
    {
        var wire = new GenerationSampling();
        if (settings.Temperature is float temperature) { wire.Temperature = temperature; }
        if (settings.TopP is float topP) { wire.TopP = topP; }
        if (settings.TopK is int topK) { wire.TopK = topK; }
        if (settings.MinP is float minP) { wire.MinP = minP; }
        if (settings.RepetitionPenalty is float repetition) { wire.RepetitionPenalty = repetition; }
        if (settings.PresencePenalty is float presence) { wire.PresencePenalty = presence; }
        if (settings.FrequencyPenalty is float frequency) { wire.FrequencyPenalty = frequency; }
        if (settings.Seed is long seed) { wire.Seed = seed; }
        if (settings.MaxTokens is int maxTokens) { wire.MaxTokens = maxTokens; }
        if (settings.Stop is { } stop) { wire.Stop.Add(stop); }
        if (settings.Logprobs is bool logprobs) { wire.Logprobs = logprobs; }
        if (settings.TopLogprobs is int topLogprobs) { wire.TopLogprobs = topLogprobs; }
        return wire;
    }

    private static SamplingSettings FromProto(GenerationSampling? wire) => wire is null ? SamplingSettings.None : new SamplingSettings
    {
        Temperature = wire.HasTemperature ? wire.Temperature : null,
        TopP = wire.HasTopP ? wire.TopP : null,
        TopK = wire.HasTopK ? wire.TopK : null,
        MinP = wire.HasMinP ? wire.MinP : null,
        RepetitionPenalty = wire.HasRepetitionPenalty ? wire.RepetitionPenalty : null,
        PresencePenalty = wire.HasPresencePenalty ? wire.PresencePenalty : null,
        FrequencyPenalty = wire.HasFrequencyPenalty ? wire.FrequencyPenalty : null,
        Seed = wire.HasSeed ? wire.Seed : null,
        MaxTokens = wire.HasMaxTokens ? wire.MaxTokens : null,
        Stop = wire.Stop.Count > 0 ? wire.Stop.ToArray() : null,
        Logprobs = wire.HasLogprobs ? wire.Logprobs : null,
        TopLogprobs = wire.HasTopLogprobs ? wire.TopLogprobs : null,
    };

    private static GenerationRejectedException Invalid(string message) => new("invalid_request", message);
}
