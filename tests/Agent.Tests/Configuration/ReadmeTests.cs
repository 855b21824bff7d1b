using DataCluster.Agent.Configuration;
using Xunit;

namespace DataCluster.Agent.Tests.Configuration;

public sealed class ReadmeTests
{
    private const string Begin = "<!-- agent-environment:begin (generated from contracts/AgentEnvironment.cs; a test checks it) -->";
    private const string End = "<!-- agent-environment:end -->";

    [Fact]
    public void The_agent_README_shows_exactly_the_variable_table_the_agent_reads()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DataCluster.slnx")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var readme = File.ReadAllText(Path.Combine(directory.FullName, "agent", "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"agent/README.md lacks the markers {Begin} ... {End}");
        var shown = readme[(start + Begin.Length)..end].Trim('\n');

        Assert.True(shown == AgentOptionsReader.MarkdownTable(), $"agent/README.md's variable table is stale; replace it with:\n{AgentOptionsReader.MarkdownTable()}");
    }
}
