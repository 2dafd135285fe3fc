namespace Qwen2VL.Grains.Hosting;

/// <summary>The grain storage provider the control plane's persistent state lives in; silos must configure it.</summary>
public static class GrainStorage
{
    /// <summary>The provider name, for <c>AddRedisGrainStorage</c> or <c>AddMemoryGrainStorage</c>.</summary>
    public const string Name = "qwen2vl";
}
