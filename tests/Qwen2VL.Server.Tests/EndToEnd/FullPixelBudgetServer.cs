using System.Text.Json.Nodes;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.EndToEnd;

/// <summary>
/// The embedded server on the tiny checkpoint with the real Qwen2-VL pixel budget (max_pixels 12845056, as the
/// released checkpoints ship) instead of the fixture's 28224, so an image can be large enough for <c>detail: low</c>
/// to matter. The weights and every other file are the fixture's, linked.
/// </summary>
public sealed class FullPixelBudgetServer : EmbeddedServer
{
    /// <summary>The released checkpoints' max_pixels (16384·28²).</summary>
    public const long ReleasedMaxPixels = 12_845_056;

    public FullPixelBudgetServer()
        : base(CreateCheckpoint())
    {
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(Checkpoint, recursive: true);
    }

    private static string CreateCheckpoint()
    {
        string folder = Directory.CreateTempSubdirectory("qwen2vl-full-budget-").FullName;
        foreach (string file in Directory.GetFiles(TestPaths.Checkpoint))
        {
            string target = Path.Combine(folder, Path.GetFileName(file));
            if (Path.GetFileName(file) == "preprocessor_config.json")
            {
                var config = JsonNode.Parse(File.ReadAllText(file))!;
                config["max_pixels"] = ReleasedMaxPixels;
                File.WriteAllText(target, config.ToJsonString());
            }
            else
            {
                File.CreateSymbolicLink(target, file);
            }
        }

        return folder;
    }
}
