using System.Globalization;
using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Validation;

/// <summary>
/// The values a numeric request field accepts, shared by the HTTP and gRPC APIs so that both refuse the same values
/// with the same words.
/// </summary>
/// <param name="MinExclusive">Whether <paramref name="Min"/> itself is refused (top_p = 0 means nothing).</param>
public readonly record struct NumericRange(double Min, double Max, bool MinExclusive = false)
{
    public bool Contains(double value) =>
        double.IsFinite(value) && value <= Max && (MinExclusive ? value > Min : value >= Min);

    /// <summary>Throws a 400 naming <paramref name="path"/> when <paramref name="value"/> is outside the range.</summary>
    public void Check(double value, string path)
    {
        if (!Contains(value))
        {
            string shown = value.ToString(CultureInfo.InvariantCulture);
            throw OpenAiException.BadRequest($"{path} is {shown}; it must be {Describe()}", path);
        }
    }

    /// <summary>"between 0 and 2", or "greater than 0 and at most 1" for a range open at its bottom.</summary>
    public string Describe() => MinExclusive
        ? string.Create(CultureInfo.InvariantCulture, $"greater than {Min} and at most {Max}")
        : string.Create(CultureInfo.InvariantCulture, $"between {Min} and {Max}");
}
