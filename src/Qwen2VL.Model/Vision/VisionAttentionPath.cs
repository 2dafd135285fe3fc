namespace Qwen2VL.Model.Vision;

/// <summary>Which implementation attends within the vision tower's blocks.</summary>
public enum VisionAttentionPath
{
    /// <summary>
    /// <see cref="BlockedAttention"/> where it was measured faster (bf16 on an AVX-512 CPU, blocks of at least
    /// <see cref="BlockedAttention.MinKeys"/> patches), <c>scaled_dot_product_attention</c> elsewhere.
    /// </summary>
    Auto,

    /// <summary><see cref="BlockedAttention"/> wherever it applies (bf16 or float32 on an AVX-512 CPU), whatever the size.</summary>
    Blocked,

    /// <summary>Always LibTorch's <c>scaled_dot_product_attention</c>.</summary>
    ScaledDotProduct,
}
