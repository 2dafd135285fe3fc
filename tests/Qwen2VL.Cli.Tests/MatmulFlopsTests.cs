using Qwen2VL.Cli.Bench;
using Qwen2VL.Model.Config;

namespace Qwen2VL.Cli.Tests;

public sealed class MatmulFlopsTests
{
    [Fact]
    public void VisionTower_2BAt448_MatchesTheHandCount()
    {
        var vision = new VisionConfig { Depth = 32, EmbedDim = 1280, NumHeads = 16, HiddenSize = 1536 };
        const double n = 1024, e = 1280;
        double expected = (2 * n * 1176 * e)
            + (32 * ((2 * n * e * 15360) + (4 * n * n * e)))
            + (2.0 * 256 * 5120 * 5120) + (2.0 * 256 * 5120 * 1536);

        Assert.Equal(expected, MatmulFlops.VisionTower(vision, 32, 32), 6);
    }
}
