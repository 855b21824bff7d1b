using DataCluster.Agent.Configuration;
using DataCluster.LocalCluster;
using Xunit;

namespace DataCluster.Agent.Tests.Configuration;

public sealed class ReadmeTableTests
{
    [Fact]
    public void README_shows_the_agent_variable_table_generated_from_the_code()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryLayout.Root(), "README.md")).ReplaceLineEndings("\n");
        var table = AgentOptionsReader.MarkdownTable();

        Assert.True(
            readme.Contains(table, StringComparison.Ordinal),
            "README.md's agent configuration table differs from contracts/AgentEnvironment.cs. Replace the table in README.md with:\n" + table);
    }
}
