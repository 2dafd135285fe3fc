using static TorchSharp.torch;

namespace Qwen2VL.Model.Sampling;

/// <summary>Divides each row's logits by its temperature: below 1 sharpens the distribution, above 1 flattens it.</summary>
public static class TemperatureScaling
{
    /// <summary>Returns <c>logits / temperature</c> row by row (the input is not modified).</summary>
    /// <param name="logits">[B, V] float32.</param>
    /// <param name="temperature">[B, 1] float32, each positive; greedy rows never come here.</param>
    public static Tensor Apply(Tensor logits, Tensor temperature)
    {
        ArgumentNullException.ThrowIfNull(logits);
        return logits / temperature;
    }
}
