namespace Qwen2VL.Gateway.OpenAi;

/// <summary>Server-wide bounds on what one chat request may ask for. Bound from <c>Qwen2VL:Limits</c>.</summary>
public sealed class ChatRequestLimits
{
    public int MaxMessages { get; set; } = 1024;

    public int MaxImagesPerRequest { get; set; } = 16;

    public int MaxVideosPerRequest { get; set; } = 2;

    public int MaxFramesPerVideoList { get; set; } = 768;

    public int MaxChoices { get; set; } = 8;

    public int MaxStopSequences { get; set; } = 16;

    public int MaxTools { get; set; } = 128;
}
