using System.Net;
using Qwen2VL.Model.Stages;
using Qwen2VL.Worker.Hosting;

namespace Qwen2VL.Worker.Tests;

public sealed class StageHostCommandLineTests
{
    [Fact]
    public void Parse_FullCommandLine_ReadsEveryOption()
    {
        var options = StageHostCommandLine.Parse(new[]
        {
            "--model", "ckpt", "--layers", "14:28", "--worker-port", "7001", "--next-stage", "stage-3:7001", "--bind", "127.0.0.1",
            "--device", "cuda:1", "--dtype", "float32", "--threads", "4", "--kv-cache-tokens", "1000", "--max-context-tokens", "4096",
            "--max-message-mb", "64", "--step-timeout-seconds", "30",
        });

        Assert.Equal("ckpt", options.ModelDirectory);
        Assert.Equal(new LayerRange(14, 28), options.Layers);
        Assert.Equal(7001, options.Port);
        Assert.Equal("http://stage-3:7001", options.NextStage);
        Assert.Equal(IPAddress.Loopback, options.Bind);
        Assert.Equal("cuda:1", options.Device);
        Assert.Equal("float32", options.DType);
        Assert.Equal(4, options.Threads);
        Assert.Equal(1000, options.KvCacheTokens);
        Assert.Equal(4096, options.MaxContextTokens);
        Assert.Equal(64 * 1024 * 1024, options.MaxMessageBytes);
        Assert.Equal(TimeSpan.FromSeconds(30), options.StepTimeout);
    }

    [Fact]
    public void Parse_LastStage_HasNoNextStageAndServingDefaults()
    {
        var options = StageHostCommandLine.Parse(new[] { "--model", "ckpt", "--layers", "2:3", "--worker-port", "0" });

        Assert.Null(options.NextStage);
        Assert.Equal(IPAddress.Any, options.Bind);
        Assert.Equal("bfloat16", options.DType);
        Assert.Equal(WorkerMessageLimits.DefaultMaxMessageBytes, options.MaxMessageBytes);
    }

    [Theory]
    [InlineData("--layers", "3:3", "'3:3' is not a layer range")]
    [InlineData("--layers", "a:b", "'a:b' is not a layer range")]
    [InlineData("--bind", "not-an-ip", "'not-an-ip' is not an IP address")]
    [InlineData("--max-message-mb", "0", "within 1..2047, got 0")]
    public void Parse_BadValue_ThrowsNamingIt(string option, string value, string expected)
    {
        var args = new List<string> { "--model", "ckpt", "--layers", "1:2", "--worker-port", "0" };
        int index = args.IndexOf(option);
        if (index >= 0)
        {
            args[index + 1] = value;
        }
        else
        {
            args.AddRange(new[] { option, value });
        }

        var error = Assert.Throws<ArgumentException>(() => StageHostCommandLine.Parse(args));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingModel_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => StageHostCommandLine.Parse(new[] { "--layers", "1:2", "--worker-port", "0" }));

        Assert.Contains("--model", error.Message, StringComparison.Ordinal);
    }
}
