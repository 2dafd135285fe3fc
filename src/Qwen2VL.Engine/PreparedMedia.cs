namespace Qwen2VL.Engine;

/// <summary>One image or video after preprocessing, ready for the vision tower.</summary>
/// <param name="PixelValues">Patches [N, C·T·P·P] row-major, N = GridT · GridH · GridW.</param>
/// <param name="GridT">Temporal patches (frame pairs).</param>
/// <param name="GridH">Patch rows.</param>
/// <param name="GridW">Patch columns.</param>
/// <param name="IsVideo">Whether its placeholders are video pads.</param>
/// <param name="ContentHash">Hash of the pixels and grid; with the tenant it keys the vision embedding cache.</param>
public sealed record PreparedMedia(float[] PixelValues, int GridT, int GridH, int GridW, bool IsVideo, string ContentHash)
{
    /// <summary>Patches (rows of <see cref="PixelValues"/>).</summary>
    public int Patches => GridT * GridH * GridW;

    /// <summary>LLM tokens after the spatial merge.</summary>
    public int Tokens(int mergeSize) => Patches / (mergeSize * mergeSize);
}
