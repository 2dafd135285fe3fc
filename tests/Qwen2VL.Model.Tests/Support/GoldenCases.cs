using System.Collections.Concurrent;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Model.Tests.Support;

/// <summary>
/// Finds golden prompts: every case folder whose tensors file has the needed tensors, under each tensor-name prefix
/// ("" for single-turn cases, "turn1_"/"turn2_" for multi-turn ones). Nothing here depends on particular cases.
/// </summary>
public static class GoldenCases
{
    private static readonly string[] Prefixes = { "", "turn1_", "turn2_" };
    private static readonly ConcurrentDictionary<string, GoldenTensors> Loaded = new(StringComparer.Ordinal);

    /// <summary>The tensors of <paramref name="caseName"/>, read once per test run.</summary>
    public static GoldenTensors Tensors(string caseName) => Loaded.GetOrAdd(caseName, GoldenTensors.ForCase);

    /// <summary>(case, prefix) pairs having all of <paramref name="names"/> under the prefix.</summary>
    public static TheoryData<string, string> With(params string[] names)
    {
        var data = new TheoryData<string, string>();
        foreach (var dir in Directory.GetDirectories(TestPaths.Cases).Order(StringComparer.Ordinal))
        {
            if (!File.Exists(Path.Combine(dir, "tensors.safetensors")))
            {
                continue;
            }

            string caseName = Path.GetFileName(dir);
            var tensors = Tensors(caseName);
            foreach (var prefix in Prefixes)
            {
                if (names.All(n => tensors.Contains(prefix + n)))
                {
                    data.Add(caseName, prefix);
                }
            }
        }

        return data;
    }

    /// <summary>Case names having every one of <paramref name="names"/> (no prefix).</summary>
    public static TheoryData<string> CasesWith(params string[] names)
    {
        var data = new TheoryData<string>();
        foreach (var row in With(names))
        {
            if ((string)row[1] == "")
            {
                data.Add((string)row[0]);
            }
        }

        return data;
    }
}
