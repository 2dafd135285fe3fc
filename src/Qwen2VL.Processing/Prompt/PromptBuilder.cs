using System.Security.Cryptography;
using System.Text;
using Qwen2VL.Processing.Images;
using Qwen2VL.Processing.Text;

namespace Qwen2VL.Processing.Prompt;

/// <summary>
/// Turns a conversation into model inputs: renders the checkpoint's chat template, tokenizes it so that user text can
/// never produce control tokens, preprocesses every image and video, expands their pads and computes M-RoPE positions.
/// CPU-bound and thread-safe: run it on the thread pool, never on the engine's loop.
/// </summary>
public sealed class PromptBuilder
{
    // Private-use code points never produced by templates; with a per-call nonce a user cannot forge a marker.
    private const char MarkerOpen = '\uE000';
    private const char MarkerClose = '\uE001';

    private readonly Qwen2Tokenizer _tokenizer;
    private readonly ChatTemplate _template;
    private readonly ImagePreprocessor _images;
    private readonly VisionPadExpander _expander;
    private readonly RopeIndex _ropeIndex;

    public PromptBuilder(Qwen2Tokenizer tokenizer, ChatTemplate template, ImagePreprocessor images, VisionTokenIds visionTokens)
    {
        _tokenizer = tokenizer;
        _template = template;
        _images = images;
        _expander = new VisionPadExpander(visionTokens, images.Options.MergeSize);
        _ropeIndex = new RopeIndex(visionTokens, images.Options.MergeSize);
    }

    /// <summary>Loads tokenizer, template, preprocessor settings and vision token ids from a checkpoint folder.</summary>
    public static PromptBuilder FromCheckpoint(string folder, ImageDecoderOptions? decoderOptions = null) => new(
        Qwen2Tokenizer.FromCheckpoint(folder),
        ChatTemplate.FromCheckpoint(folder),
        new ImagePreprocessor(VisionPreprocessorOptions.Load(folder), decoderOptions),
        VisionTokenIds.Load(folder));

    public Qwen2Tokenizer Tokenizer => _tokenizer;

    public ImagePreprocessor Images => _images;

    /// <summary>Builds the prompt for <paramref name="messages"/>, ending with the assistant header when asked.</summary>
    public PreparedPrompt Build(IReadOnlyList<PromptMessage> messages, ChatTemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            throw new InvalidInputException("invalid_message", "a conversation needs at least one message");
        }

        string nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var texts = new List<string>();
        var chat = new List<ChatMessage>(messages.Count);
        var media = new List<PreparedMediaItem>();
        foreach (var message in messages)
        {
            chat.Add(ToTemplateMessage(message, nonce, texts, media));
        }

        string rendered = _template.Render(chat, options);
        var ids = new List<int>();
        var display = new StringBuilder(rendered.Length);
        foreach (var (segment, isUserText) in Split(rendered, nonce, texts))
        {
            // Template markup may hold control tokens; user text is tokenized as plain text.
            ids.AddRange(_tokenizer.Encode(segment, allowSpecialTokens: !isUserText));
            display.Append(segment);
        }

        var imageGrids = media.Where(m => !m.IsVideo).Select(m => m.Pixels.Grid).ToList();
        var videoGrids = media.Where(m => m.IsVideo).Select(m => m.Pixels.Grid).ToList();
        long[] expanded = _expander.Expand(ids.Select(i => (long)i).ToArray(), imageGrids, videoGrids);
        var positions = _ropeIndex.Compute(expanded, imageGrids, videoGrids);
        return new PreparedPrompt(expanded.Select(i => (int)i).ToArray(), positions, media, display.ToString());
    }

    private ChatMessage ToTemplateMessage(PromptMessage message, string nonce, List<string> texts, List<PreparedMediaItem> media)
    {
        var parts = new List<ChatContentPart>(message.Parts.Count);
        foreach (var part in message.Parts)
        {
            switch (part)
            {
                case PromptText text:
                    parts.Add(ChatContentPart.FromText($"{MarkerOpen}{nonce}:{texts.Count}{MarkerClose}"));
                    texts.Add(text.Text);
                    break;
                case PromptImage image:
                    media.Add(PrepareImage(image));
                    parts.Add(ChatContentPart.Image());
                    break;
                case PromptVideo video:
                    media.Add(PrepareVideo(video));
                    parts.Add(ChatContentPart.Video());
                    break;
                default:
                    throw new ArgumentException($"unknown prompt part {part.GetType().Name}");
            }
        }

        // A text-only message renders the same either way; a plain string matches how most templates expect it.
        return parts.Count == 1 && message.Parts[0] is PromptText
            ? new ChatMessage(message.Role, (string?)parts[0].Fields["text"])
            : new ChatMessage(message.Role, parts);
    }

    private PreparedMediaItem PrepareImage(PromptImage image)
    {
        var pixels = _images.PreprocessImage(image.Encoded.Span, image.Size);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(image.Encoded.Span);
        AppendSettings(hash, "image", pixels.Grid);
        return new PreparedMediaItem(pixels, IsVideo: false, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private PreparedMediaItem PrepareVideo(PromptVideo video)
    {
        var frames = video.Video.Frames;
        var size = new ImageSizeRequest { ResizedHeight = video.Video.Height, ResizedWidth = video.Video.Width };
        var pixels = _images.PreprocessFrames(frames, size);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var frame in frames)
        {
            hash.AppendData(BitConverter.GetBytes(frame.Width));
            hash.AppendData(BitConverter.GetBytes(frame.Height));
            hash.AppendData(frame.Pixels);
        }

        AppendSettings(hash, "video", pixels.Grid);
        return new PreparedMediaItem(pixels, IsVideo: true, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private void AppendSettings(IncrementalHash hash, string kind, GridThw grid)
    {
        var o = _images.Options;
        hash.AppendData(Encoding.UTF8.GetBytes(
            $"|{kind}|{grid}|{o.PatchSize}|{o.TemporalPatchSize}|{o.MergeSize}|{string.Join(',', o.ImageMean)}|{string.Join(',', o.ImageStd)}"));
    }

    private static IEnumerable<(string Segment, bool IsUserText)> Split(string rendered, string nonce, List<string> texts)
    {
        string prefix = MarkerOpen + nonce + ":";
        int position = 0;
        while (position < rendered.Length)
        {
            int open = rendered.IndexOf(prefix, position, StringComparison.Ordinal);
            if (open < 0)
            {
                yield return (rendered[position..], false);
                yield break;
            }

            if (open > position)
            {
                yield return (rendered[position..open], false);
            }

            int close = rendered.IndexOf(MarkerClose, open);
            if (close < 0 || !int.TryParse(rendered.AsSpan(open + prefix.Length, close - open - prefix.Length), out int index) || index >= texts.Count)
            {
                throw new InvalidOperationException("the chat template altered a text marker; it must output message text unchanged");
            }

            if (texts[index].Length > 0)
            {
                yield return (texts[index], true);
            }

            position = close + 1;
        }
    }
}
