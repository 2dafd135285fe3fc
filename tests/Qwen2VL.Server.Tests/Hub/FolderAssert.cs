namespace Qwen2VL.Server.Tests.Hub;

/// <summary>Compares downloaded folders with their source.</summary>
public static class FolderAssert
{
    /// <summary>Asserts that <paramref name="actual"/> holds exactly <paramref name="expectedFiles"/> of <paramref name="source"/>, byte for byte.</summary>
    public static void HoldsExactly(string source, string actual, IEnumerable<string> expectedFiles)
    {
        var expected = expectedFiles.Order(StringComparer.Ordinal).ToArray();
        var present = Directory.EnumerateFiles(actual).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, present);
        foreach (string file in expected)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(source, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, file))),
                $"{file} differs from the source");
        }
    }

    /// <summary>Asserts that <paramref name="actual"/> equals <paramref name="source"/> file for file, byte for byte.</summary>
    public static void Equal(string source, string actual) =>
        HoldsExactly(source, actual, Directory.EnumerateFiles(source).Select(path => Path.GetFileName(path)));
}
