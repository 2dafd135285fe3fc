namespace Qwen2VL.Tests.Shared;

/// <summary>Locates the repository's test data, so tests run from any output folder.</summary>
public static class TestPaths
{
    /// <summary>The repository root: the first ancestor of the test binary that holds Qwen2VL.Cluster.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>
    /// The golden fixture folder: <c>QWEN2VL_FIXTURES</c> when set (any checkpoint plus cases in the same format),
    /// otherwise the tiny checkpoint committed under tests/fixtures.
    /// </summary>
    public static string Fixtures
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable("QWEN2VL_FIXTURES");
            return string.IsNullOrWhiteSpace(configured)
                ? Path.Combine(RepositoryRoot, "tests", "fixtures", "qwen2vl-tiny")
                : Path.GetFullPath(configured);
        }
    }

    /// <summary>The checkpoint folder inside <see cref="Fixtures"/>.</summary>
    public static string Checkpoint => Path.Combine(Fixtures, "checkpoint");

    /// <summary>The golden case folders inside <see cref="Fixtures"/>.</summary>
    public static string Cases => Path.Combine(Fixtures, "cases");

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Qwen2VL.Cluster.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Qwen2VL.Cluster.sln above {AppContext.BaseDirectory}");
    }
}
