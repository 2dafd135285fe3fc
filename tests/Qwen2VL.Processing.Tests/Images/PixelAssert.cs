namespace Qwen2VL.Processing.Tests.Images;

/// <summary>Element-wise comparison of float tensors that reports the worst element.</summary>
internal static class PixelAssert
{
    public static void Close(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        float worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            float diff = Math.Abs(expected[i] - actual[i]);
            if (diff > worst || float.IsNaN(diff))
            {
                worst = diff;
                worstAt = i;
            }
        }

        if (worst > tolerance)
        {
            Assert.Fail($"max abs diff {worst} at {worstAt} (expected {expected[worstAt]}, got {actual[worstAt]}); tolerance {tolerance}");
        }
    }
}
