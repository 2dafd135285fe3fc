using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model;

/// <summary>Parses device and dtype settings and applies process-wide LibTorch options.</summary>
public static class TorchRuntime
{
    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    public static Device ParseDevice(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        string normalized = text.Trim().ToLowerInvariant();
        if (normalized == "cpu")
        {
            return CPU;
        }

        if (normalized == "cuda" || normalized.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
            {
                throw new ArgumentException($"device '{text}' was requested but this build of LibTorch has no usable CUDA device; build with -p:TorchBackend=cuda on a GPU machine");
            }

            return new Device(normalized);
        }

        throw new ArgumentException($"unknown device '{text}': expected cpu, cuda or cuda:N");
    }

    /// <summary>Parses "float32" or "bfloat16" (aliases fp32, f32, bf16). float16 is refused: it is emulated on CPUs.</summary>
    public static ScalarType ParseDType(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "float32" or "fp32" or "f32" or "float" => ScalarType.Float32,
            "bfloat16" or "bf16" => ScalarType.BFloat16,
            "float16" or "fp16" or "f16" or "half" =>
                throw new ArgumentException("dtype float16 is not supported: use bfloat16 (fast on CPU and GPU) or float32"),
            _ => throw new ArgumentException($"unknown dtype '{text}': expected float32 or bfloat16"),
        };
    }

    /// <summary>Sets LibTorch's intra-op thread count; 0 or less keeps LibTorch's default.</summary>
    public static void SetThreads(int threads)
    {
        if (threads > 0)
        {
            torch.set_num_threads(threads);
        }
    }
}
