using Qwen2VL.Server.Hub;

namespace Qwen2VL.Server.Tests.Hub;

public class HubSettingsTests
{
    [Fact]
    public void FromEnvironment_NothingSet_UsesPublicHubAndHomeCache()
    {
        var settings = HubSettings.FromEnvironment(Environment(new()));

        string home = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        Assert.Equal(new Uri(HubSettings.DefaultEndpoint), settings.Endpoint);
        Assert.Equal(Path.Combine(home, ".cache", "huggingface", "hub"), settings.CacheDirectory);
        Assert.False(settings.Offline);
    }

    [Fact]
    public void FromEnvironment_HfHubCacheSet_WinsOverHfHome()
    {
        var settings = HubSettings.FromEnvironment(Environment(new() { ["HF_HUB_CACHE"] = "/data/hub", ["HF_HOME"] = "/data/hf" }));

        Assert.Equal("/data/hub", settings.CacheDirectory);
    }

    [Fact]
    public void FromEnvironment_HfHomeSet_CacheUnderItsHubFolder()
    {
        var settings = HubSettings.FromEnvironment(Environment(new() { ["HF_HOME"] = "/data/hf", ["XDG_CACHE_HOME"] = "/xdg" }));

        Assert.Equal(Path.Combine("/data/hf", "hub"), settings.CacheDirectory);
    }

    [Fact]
    public void FromEnvironment_XdgCacheHomeSet_HfHomeUnderIt()
    {
        var settings = HubSettings.FromEnvironment(Environment(new() { ["XDG_CACHE_HOME"] = "/xdg" }));

        Assert.Equal(Path.Combine("/xdg", "huggingface", "hub"), settings.CacheDirectory);
    }

    [Fact]
    public void FromEnvironment_EndpointWithTrailingSlash_IsTrimmed()
    {
        var settings = HubSettings.FromEnvironment(Environment(new() { ["HF_ENDPOINT"] = "http://127.0.0.1:8080/" }));

        Assert.Equal("http://127.0.0.1:8080/", settings.Endpoint.ToString());
    }

    [Fact]
    public void FromEnvironment_TokenFileOnly_ReadsTokenFromHfHome()
    {
        using var home = new TemporaryFolder();
        File.WriteAllText(Path.Combine(home.Path, "token"), "hf_from_file\n");

        var settings = HubSettings.FromEnvironment(Environment(new() { ["HF_HOME"] = home.Path }));

        Assert.Equal("hf_from_file", settings.Token);
    }

    [Fact]
    public void FromEnvironment_HfTokenAndFile_VariableWins()
    {
        using var home = new TemporaryFolder();
        File.WriteAllText(Path.Combine(home.Path, "token"), "hf_from_file");

        var settings = HubSettings.FromEnvironment(Environment(new() { ["HF_HOME"] = home.Path, ["HF_TOKEN"] = "hf_from_env" }));

        Assert.Equal("hf_from_env", settings.Token);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("YES", true)]
    [InlineData("on", true)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    public void FromEnvironment_HfHubOffline_AcceptsHuggingfaceHubSpellings(string value, bool offline) =>
        Assert.Equal(offline, HubSettings.FromEnvironment(Environment(new() { ["HF_HUB_OFFLINE"] = value })).Offline);

    // An isolated environment: only the given variables, and HF_HOME pointing nowhere unless given, so a real
    // token file on the test machine cannot leak in.
    private static Func<string, string?> Environment(Dictionary<string, string> variables) =>
        name => variables.TryGetValue(name, out string? value) ? value
            : name == "HF_TOKEN_PATH" && !variables.ContainsKey("HF_HOME") ? "/nonexistent/token"
            : null;
}
