using Qwen2VL.Cli.Bench.Load;

namespace Qwen2VL.Cli.Tests.Load;

/// <summary>The load report's arithmetic and parsing, against values worked out by hand.</summary>
public sealed class LoadPartsTests
{
    [Fact]
    public void Percentiles_FiveValues_InterpolateBetweenClosestRanksLikeNumpy()
    {
        // numpy.percentile([15, 20, 35, 40, 50], [50, 90, 99]) = [35, 46, 49.6]
        var p = Percentiles.Of([50, 15, 40, 20, 35])!;

        Assert.Equal(35, p.P50, 9);
        Assert.Equal(46, p.P90, 9);
        Assert.Equal(49.6, p.P99, 9);
    }

    [Fact]
    public void Percentiles_OneValue_IsThatValueAndNoneIsNull()
    {
        Assert.Equal(new Percentiles(7, 7, 7), Percentiles.Of([7]));
        Assert.Null(Percentiles.Of([]));
    }

    [Fact]
    public void PrometheusText_ExporterOutput_ReadsTheNamedGaugeOnly()
    {
        const string text = """
            # TYPE dotnet_process_memory_working_set_bytes gauge
            # HELP dotnet_process_memory_working_set_bytes The number of bytes of physical memory mapped to the process context.
            dotnet_process_memory_working_set_bytes_total{otel_scope_name="x"} 1
            dotnet_process_memory_working_set_bytes{otel_scope_name="System.Runtime"} 359903232 1700000000000
            process_resident_memory_bytes 4.2e+08
            """;

        Assert.Equal(359903232, PrometheusText.Value(text, "dotnet_process_memory_working_set_bytes"));
        Assert.Equal(4.2e8, PrometheusText.Value(text, "process_resident_memory_bytes"));
        Assert.Null(PrometheusText.Value(text, "dotnet_process_memory"));
    }

    [Theory]
    [InlineData("600s", 600)]
    [InlineData("10m", 600)]
    [InlineData("1h", 3600)]
    [InlineData("500ms", 0.5)]
    [InlineData("2.5", 2.5)]
    public void DurationText_CommonForms_Parse(string text, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), DurationText.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("-5s")]
    [InlineData("0")]
    [InlineData("ten minutes")]
    public void DurationText_NotAPositiveDuration_IsNull(string text)
    {
        Assert.Null(DurationText.Parse(text));
    }

    [Fact]
    public void ServerMemory_Samples_GrowthIsEndMinusFirstSampleAfterWarmup()
    {
        var samples = new[] { new MemorySample(0, 100), new MemorySample(1.9, 150), new MemorySample(2.0, 160), new MemorySample(5, 300), new MemorySample(6, 250) };

        var memory = ServerMemory.From(samples, TimeSpan.FromSeconds(2))!;

        Assert.Equal(new ServerMemory(100, 160, 250, 300, 5), memory);
        Assert.Equal(90, memory.Growth);
    }
}
