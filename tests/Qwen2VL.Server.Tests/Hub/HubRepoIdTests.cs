using Qwen2VL.Server.Hub;

namespace Qwen2VL.Server.Tests.Hub;

public class HubRepoIdTests
{
    [Theory]
    [InlineData("Qwen/Qwen2-VL-2B-Instruct", "Qwen", "Qwen2-VL-2B-Instruct")]
    [InlineData("user_1/model.v2", "user_1", "model.v2")]
    public void Parse_ValidId_SplitsOwnerAndName(string value, string owner, string name)
    {
        var id = HubRepoId.Parse(value);

        Assert.Equal(owner, id.Owner);
        Assert.Equal(name, id.Name);
        Assert.Equal(value, id.ToString());
    }

    [Fact]
    public void CacheFolderName_QwenModel_FollowsHuggingfaceHubLayout() =>
        Assert.Equal("models--Qwen--Qwen2-VL-2B-Instruct", HubRepoId.Parse("Qwen/Qwen2-VL-2B-Instruct").CacheFolderName);

    [Theory]
    [InlineData("")]
    [InlineData("Qwen2-VL-2B-Instruct")]
    [InlineData("Qwen/")]
    [InlineData("/model")]
    [InlineData("a/b/c")]
    [InlineData("Qwen/bad--name")]
    [InlineData("Qwen/..")]
    [InlineData("Qwen/-model")]
    [InlineData("Qwen/model.")]
    [InlineData("Qwen/has space")]
    public void TryParse_InvalidId_FailsWithReason(string value)
    {
        Assert.False(HubRepoId.TryParse(value, out var id, out string? error));
        Assert.Null(id);
        Assert.Contains("is not a hub repo id", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("main", true)]
    [InlineData("refs/pr/1", true)]
    [InlineData("../escape", false)]
    [InlineData("a/../b", false)]
    [InlineData("/rooted", false)]
    [InlineData("", false)]
    public void Validate_Revision_AcceptsBranchesAndRejectsPathTricks(string revision, bool valid)
    {
        if (valid)
        {
            Assert.Equal(revision, HubRevisions.Validate(revision));
        }
        else
        {
            Assert.Throws<ArgumentException>(() => HubRevisions.Validate(revision));
        }
    }
}
