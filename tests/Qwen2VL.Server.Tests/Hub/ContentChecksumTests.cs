using System.Text;
using Qwen2VL.Server.Hub;

namespace Qwen2VL.Server.Tests.Hub;

public class ContentChecksumTests
{
    [Fact]
    public void ForEtag_GitBlobId_MatchesGitHashObject()
    {
        // `printf 'hello\n' | git hash-object --stdin`
        byte[] content = Encoding.ASCII.GetBytes("hello\n");
        using var checksum = ContentChecksum.ForEtag("ce013625030ba8dba906f756967f9e9ca394464a", content.Length)!;

        checksum.Append(content);

        Assert.Equal(checksum.Expected, checksum.Finish());
        Assert.Equal("git blob sha1", checksum.Algorithm);
    }

    [Fact]
    public void ForEtag_Sha256_MatchesContentHash()
    {
        byte[] content = Encoding.ASCII.GetBytes("hello\n");
        using var checksum = ContentChecksum.ForEtag("5891B5B522D5DF086D0FF0B110FBD9D21BB4FC7163AF34D08286A2E846F6BE03", content.Length)!;

        checksum.Append(content);

        Assert.Equal(checksum.Expected, checksum.Finish());
        Assert.Equal("sha256", checksum.Algorithm);
    }

    [Theory]
    [InlineData("not-a-hash")]
    [InlineData("abc123")]
    public void ForEtag_OpaqueEtag_GivesNoChecksum(string etag) => Assert.Null(ContentChecksum.ForEtag(etag, 10));

    [Theory]
    [InlineData("\"abc\"", "abc")]
    [InlineData("W/\"abc\"", "abc")]
    [InlineData("abc", "abc")]
    public void NormalizeEtag_QuotedOrWeak_GivesBareValue(string etag, string expected) =>
        Assert.Equal(expected, HubClient.NormalizeEtag(etag));
}
