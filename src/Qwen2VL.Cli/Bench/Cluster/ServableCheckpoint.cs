namespace Qwen2VL.Cli.Bench.Cluster;

/// <summary>
/// The checkpoint the cluster suites serve. A server needs a whole checkpoint (tokenizer and chat template as well as
/// weights), which the suite's random checkpoints lack, so these suites serve <c>--model</c>, or by default the tiny
/// checkpoint committed with the repository's test fixtures, found above the current directory, whose tokenizer also
/// makes a random checkpoint servable.
/// </summary>
internal static class ServableCheckpoint
{
    private static readonly string[] FixturePath = ["tests", "fixtures", "qwen2vl-tiny", "checkpoint"];
    private static readonly string[] RequiredFiles = ["config.json", "model.safetensors", "tokenizer.json"];

    /// <summary>The folder to serve, or null with the reason when there is none.</summary>
    public static (string? Folder, string? Problem) Resolve(string? given)
    {
        if (given is not null)
        {
            string folder = Path.GetFullPath(given);
            return Missing(folder) is { } file ? (null, $"--model {given}: {file} is missing") : (folder, null);
        }

        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine([dir.FullName, .. FixturePath]);
            if (Directory.Exists(candidate) && Missing(candidate) is null)
            {
                return (candidate, null);
            }
        }

        return (null, $"no {string.Join('/', FixturePath)} above {Directory.GetCurrentDirectory()}; pass --model with a checkpoint folder");
    }

    /// <summary>The checkpoint's shape, for notes that should not carry a machine's paths.</summary>
    public static string Describe(string folder)
    {
        var config = Model.Config.Qwen2VLConfig.Load(folder);
        return $"{config.NumHiddenLayers}-layer, hidden-{config.HiddenSize} checkpoint";
    }

    /// <summary>
    /// Makes the random checkpoint in <paramref name="randomFolder"/> servable by copying the tokenizer, chat template
    /// and processor settings of <paramref name="source"/> next to its weights (once). Both share Qwen2-VL's
    /// tokenizer, whose ids all fall inside the model's vocabulary.
    /// </summary>
    public static string WithTokenizerOf(string randomFolder, string source)
    {
        foreach (string file in TokenizerFiles)
        {
            string from = Path.Combine(source, file);
            string to = Path.Combine(randomFolder, file);
            if (File.Exists(from) && !File.Exists(to))
            {
                File.Copy(from, to);
            }
        }

        return randomFolder;
    }

    private static readonly string[] TokenizerFiles =
        ["tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt", "chat_template.json", "preprocessor_config.json", "generation_config.json"];

    private static string? Missing(string folder) => RequiredFiles.FirstOrDefault(f => !File.Exists(Path.Combine(folder, f)));
}
