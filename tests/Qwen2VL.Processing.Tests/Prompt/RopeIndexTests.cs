using Qwen2VL.Processing.Images;
using Qwen2VL.Processing.Prompt;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Processing.Tests.Prompt;

public sealed class RopeIndexTests
{
    private static readonly VisionTokenIds Tokens = VisionTokenIds.Load(TestPaths.Checkpoint);
    private static readonly RopeIndex Index = new(Tokens, mergeSize: 2);

    public static TheoryData<string, string> Cases => ModelCase.All();

    [Fact]
    public void Compute_DocstringVideoExample_MatchesWorkedPositions()
    {
        // The reference docstring: a video of 3 temporal patches × 2 × 2 merged tokens, then 5 text tokens. Here the
        // block is preceded by <|vision_start|> (which real prompts always have), so every position is one higher.
        const long text = 100;
        long[] ids = [Tokens.VisionStart, .. Enumerable.Repeat(Tokens.VideoPad, 12), text, text, text, text, text];

        var positions = Index.Compute(ids, [], [new GridThw(3, 4, 4)]);

        long[] t = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 4, 5, 6, 7];
        long[] h = [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 3, 4, 5, 6, 7];
        long[] w = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 3, 4, 5, 6, 7];
        Assert.Equal([0, .. t.Select(p => p + 1)], positions.Row(0).ToArray());
        Assert.Equal([0, .. h.Select(p => p + 1)], positions.Row(1).ToArray());
        Assert.Equal([0, .. w.Select(p => p + 1)], positions.Row(2).ToArray());
        Assert.Equal(9 - ids.Length, positions.RopeDelta);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ComputeBatch_ModelCase_MatchesReferencePositionsAndDeltas(string caseName, string prefix)
    {
        var golden = ModelCase.Load(caseName, prefix);

        var rows = Index.ComputeBatch(golden.InputIds, golden.ImageGrids, golden.VideoGrids, golden.AttentionMask);

        for (int b = 0; b < golden.Batch; b++)
        {
            Assert.Equal(golden.RopeDeltas[b], rows[b].RopeDelta);
            for (int r = 0; r < 3; r++)
            {
                for (int i = 0; i < golden.Length; i++)
                {
                    if (golden.AttentionMask[b][i] == 0)
                    {
                        continue; // per-position tensors are zeroed at padding in the fixture; the reference itself uses 1
                    }

                    Assert.True(golden.Position(r, b, i) == rows[b][r, i],
                        $"{golden.Name} row {b} axis {r} token {i}: expected {golden.Position(r, b, i)}, got {rows[b][r, i]}");
                }
            }
        }
    }

    [Fact]
    public void Stack_BatchWithoutPadding_EqualsReferenceTensorLayout()
    {
        var golden = ModelCase.Load("c_two_images", "");

        long[] stacked = RopePositions.Stack(Index.ComputeBatch(golden.InputIds, golden.ImageGrids, golden.VideoGrids));

        Assert.Equal(golden.PositionIds, stacked);
    }

    [Fact]
    public void Compute_LeftPadding_PadsGetPositionOne()
    {
        var golden = ModelCase.Load("f_batch_left_pad", "");
        int row = Array.FindIndex(golden.AttentionMask, m => m.Contains(0));

        var rows = Index.ComputeBatch(golden.InputIds, golden.ImageGrids, golden.VideoGrids, golden.AttentionMask);

        int pads = golden.AttentionMask[row].Count(m => m == 0);
        Assert.True(pads > 0);
        Assert.All(Enumerable.Range(0, pads), i => Assert.Equal(1, rows[row][0, i]));
        Assert.Equal(0, rows[row][0, pads]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DecodePosition_GeneratedTokens_MatchReferenceGenPositions(string caseName, string prefix)
    {
        var golden = ModelCase.Load(caseName, prefix);
        Assert.NotNull(golden.GenPositionIds);

        for (int b = 0; b < golden.Batch; b++)
        {
            for (int step = 0; step < golden.GenSteps; step++)
            {
                long expected = RopeIndex.DecodePosition(golden.Length + step, golden.RopeDeltas[b]);
                for (int r = 0; r < 3; r++)
                {
                    Assert.Equal(golden.GenPositionIds![(((r * golden.Batch) + b) * golden.GenSteps) + step], expected);
                }
            }
        }
    }

    [Fact]
    public void Continue_SecondTurnWithNewImage_MatchesRecomputedTurnTwoPositions()
    {
        // Turn 2 reuses the cache of turn 1's prompt plus 19 answer tokens; the rest (last answer token, suffix with a
        // new image) is fed with positions from the whole sequence.
        var turn2 = ModelCase.Load("e_multi_turn", "turn2_");
        int cached = 36 + 19;

        var appended = Index.Continue(turn2.InputIds[0], turn2.ImageGrids, turn2.VideoGrids, cached);

        Assert.Equal(turn2.Length - cached, appended.Length);
        Assert.Equal(turn2.RopeDeltas[0], appended.RopeDelta);
        for (int r = 0; r < 3; r++)
        {
            for (int i = 0; i < appended.Length; i++)
            {
                Assert.Equal(turn2.Position(r, 0, cached + i), appended[r, i]);
            }
        }
    }

    [Fact]
    public void Continue_SecondTurn_DiffersFromDeltaArithmetic()
    {
        // Guards the reason Continue exists: turn 1's delta applied to the new image's tokens is wrong.
        var turn1 = ModelCase.Load("e_multi_turn", "turn1_");
        var turn2 = ModelCase.Load("e_multi_turn", "turn2_");
        int cached = 36 + 19;

        var appended = Index.Continue(turn2.InputIds[0], turn2.ImageGrids, turn2.VideoGrids, cached);

        bool anyDifferent = Enumerable.Range(0, appended.Length)
            .Any(i => appended[1, i] != RopeIndex.DecodePosition(cached + i, turn1.RopeDeltas[0]));
        Assert.True(anyDifferent);
    }

    [Fact]
    public void Compute_MoreImageBlocksThanGrids_ThrowsWithCounts()
    {
        var golden = ModelCase.Load("c_two_images", "");

        var error = Assert.Throws<InvalidInputException>(() => Index.Compute(golden.InputIds[0], golden.ImageGrids[..1], []));

        Assert.Equal(PromptErrorCodes.MediaCountMismatch, error.Code);
        Assert.Contains("2 image blocks but 1 image grids", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_GridTokensDifferFromPadRun_ThrowsWithBothCounts()
    {
        var golden = ModelCase.Load("b1_100x60", "");
        var wrong = golden.ImageGrids[0] with { W = golden.ImageGrids[0].W * 2 };

        var error = Assert.Throws<InvalidInputException>(() => Index.Compute(golden.InputIds[0], [wrong], []));

        Assert.Equal(PromptErrorCodes.MediaCountMismatch, error.Code);
        Assert.Contains($"needs {wrong.LlmTokenCount(2)} pad tokens", error.Message, StringComparison.Ordinal);
    }
}
