namespace Qwen2VL.Processing.Images;

/// <summary>
/// The patch grid of one image or video: <see cref="T"/> temporal patches (frame pairs), <see cref="H"/> × <see cref="W"/>
/// spatial patches. This is a row of the model's <c>image_grid_thw</c> / <c>video_grid_thw</c>.
/// </summary>
public readonly record struct GridThw(int T, int H, int W)
{
    /// <summary>Number of patches, the rows of the pixel-value matrix.</summary>
    public int PatchCount => T * H * W;

    /// <summary>Number of LLM tokens after the merger joins <paramref name="mergeSize"/>² neighbouring patches.</summary>
    public int LlmTokenCount(int mergeSize) => PatchCount / (mergeSize * mergeSize);

    /// <inheritdoc />
    public override string ToString() => $"({T}, {H}, {W})";
}
