namespace Qwen2VL.Model.Config;

/// <summary>Shared validation helpers for config values, so every message names the offending key.</summary>
internal static class ConfigChecks
{
    public static void Positive(int value, string key)
    {
        if (value <= 0)
        {
            throw new InvalidDataException($"config value {key} must be positive, got {value}");
        }
    }

    public static void Positive(double value, string key)
    {
        if (!(value > 0))
        {
            throw new InvalidDataException($"config value {key} must be positive, got {value}");
        }
    }
}
