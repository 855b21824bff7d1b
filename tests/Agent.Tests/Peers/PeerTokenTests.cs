using DataCluster.Agent.Configuration;
using DataCluster.Agent.Peers;
using Xunit;

namespace DataCluster.Agent.Tests.Peers;

public sealed class PeerTokenTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("peer-token-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("Bearer s3cr3t-Token_x", true)]
    [InlineData("bearer s3cr3t-Token_x", true)]
    [InlineData("Bearer  s3cr3t-Token_x ", true)]
    [InlineData("Bearer s3cr3t-token_x", false)]
    [InlineData("Bearer s3cr3t-Token_", false)]
    [InlineData("Bearer s3cr3t-Token_xx", false)]
    [InlineData("Bearer ", false)]
    [InlineData("Bearer", false)]
    [InlineData("Bearers3cr3t-Token_x", false)]
    [InlineData("Basic s3cr3t-Token_x", false)]
    [InlineData("s3cr3t-Token_x", false)]
    [InlineData("Bearer s3cr3t-Token_xé", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_the_bearer_scheme_with_exactly_the_token_matches(string? authorization, bool matches)
    {
        var token = PeerToken.FromValue("s3cr3t-Token_x\n");

        Assert.Equal(matches, token.Matches(authorization));
    }

    [Fact]
    public void The_file_is_read_without_surrounding_whitespace_and_the_token_never_shows_in_text()
    {
        var path = Write("  abc.DEF-123_~\n");

        var token = PeerToken.Load(path);

        Assert.Equal("abc.DEF-123_~", token.Value);
        Assert.Equal("Bearer abc.DEF-123_~", token.HeaderValue);
        Assert.DoesNotContain("abc", token.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "does not exist")]
    [InlineData("", "is empty")]
    [InlineData(" \n\t", "is empty")]
    [InlineData("two words", "holds characters other than visible ASCII")]
    [InlineData("tökén", "holds characters other than visible ASCII")]
    public void A_missing_empty_or_unusable_file_is_a_one_line_configuration_error(string? content, string problem)
    {
        var path = content is null ? Path.Combine(_directory, "absent") : Write(content);

        var error = Assert.Throws<AgentConfigurationException>(() => PeerToken.Load(path));

        Assert.StartsWith($"DATACLUSTER_PEER_TOKEN_FILE: '{path}' {problem}", error.Message, StringComparison.Ordinal);
        Assert.Contains("; accepted: a readable file holding the peer token", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void An_unset_path_is_a_configuration_error_too()
    {
        var error = Assert.Throws<AgentConfigurationException>(() => PeerToken.Load(""));

        Assert.StartsWith("DATACLUSTER_PEER_TOKEN_FILE: no file named", error.Message, StringComparison.Ordinal);
    }

    private string Write(string content)
    {
        var path = Path.Combine(_directory, "token");
        File.WriteAllText(path, content);
        return path;
    }
}
