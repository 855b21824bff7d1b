using System.Net;
using DataCluster.Agent.Configuration;
using DataCluster.Contracts;
using DataCluster.Replication;
using Xunit;

namespace DataCluster.Agent.Tests.Configuration;

public sealed class AgentOptionsReaderTests
{
    private static Dictionary<string, string> Minimal() => new()
    {
        [AgentEnvironment.ClusterName] = "orders",
        [AgentEnvironment.PodName] = "orders-2",
        [AgentEnvironment.PodNamespace] = "shop",
        [AgentEnvironment.PodIp] = "10.1.2.3",
    };

    private static AgentOptions Read(Dictionary<string, string> env) =>
        AgentOptionsReader.Read(name => env.GetValueOrDefault(name));

    [Fact]
    public void Defaults_fill_everything_but_the_downward_API_values()
    {
        var options = Read(Minimal());

        Assert.Equal("orders", options.ClusterName);
        Assert.Equal(2, options.Ordinal);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), options.PodIp);
        Assert.Equal(IPAddress.Any, options.BindAddress);
        Assert.Equal((AgentPorts.Client, AgentPorts.Peer), (options.ClientPort, options.PeerPort));
        Assert.Equal(TimeSpan.FromSeconds(6), options.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(2), options.RenewInterval);
        Assert.Equal((256, 3, CommitLevel.Quorum), (options.Partitions, options.ReplicationFactor, options.CommitLevel));
        Assert.Null(options.AppDeliveryUrl);
        Assert.True(options.JsonLogs);
        Assert.True(options.Substitutes);
    }

    [Theory]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("true", true)]
    [InlineData(" TRUE ", true)]
    public void Substitutes_are_switched_by_their_variable(string value, bool expected)
    {
        var env = Minimal();
        env[AgentEnvironment.Substitutes] = value;

        Assert.Equal(expected, Read(env).Substitutes);
    }

    [Fact]
    public void Every_variable_in_the_table_has_a_default_that_parses()
    {
        // The table's defaults are what the agent uses: each must be accepted by the parser.
        var env = Minimal();
        foreach (var variable in AgentEnvironment.All.Where(v => !v.Required && v.Default != ""))
        {
            env[variable.Name] = variable.Default!;
        }

        var options = Read(env);

        Assert.Equal(Read(Minimal()), options);
    }

    [Theory]
    [InlineData("DATACLUSTER_NAME", "", "DATACLUSTER_NAME: required but not set")]
    [InlineData("DATACLUSTER_NAME", "Orders", "DATACLUSTER_NAME: 'Orders' is not valid; accepted: a DNS-1035 label")]
    [InlineData("POD_NAME", "payments-0", "POD_NAME: 'payments-0' is not a member of cluster 'orders'")]
    [InlineData("POD_NAME", "orders-01", "POD_NAME: 'orders-01' is not a member")]
    [InlineData("POD_IP", "not-an-ip", "POD_IP: 'not-an-ip' is not valid; accepted: an IPv4 or IPv6 address")]
    [InlineData("DATACLUSTER_COMMIT_LEVEL", "Sometimes", "DATACLUSTER_COMMIT_LEVEL: 'Sometimes' is not valid; accepted: One, Quorum, All")]
    [InlineData("DATACLUSTER_PARTITIONS", "0", "DATACLUSTER_PARTITIONS: '0' is not valid; accepted: an integer from 1 to 65536")]
    [InlineData("DATACLUSTER_CLIENT_PORT", "http", "DATACLUSTER_CLIENT_PORT: 'http' is not valid; accepted: an integer from 1 to 65535")]
    [InlineData("DATACLUSTER_RENEW_INTERVAL_SECONDS", "6", "DATACLUSTER_RENEW_INTERVAL_SECONDS: 6 is not less than DATACLUSTER_LEASE_DURATION_SECONDS (6)")]
    [InlineData("DATACLUSTER_OTHER_ZONE_REPLICAS", "3", "DATACLUSTER_OTHER_ZONE_REPLICAS: '3' is not valid; accepted: an integer from 0 to 2")]
    [InlineData("DATACLUSTER_APP_DELIVERY_URL", "ftp://app/events", "DATACLUSTER_APP_DELIVERY_URL: 'ftp://app/events' is not valid; accepted: empty or an http(s) URL")]
    [InlineData("DATACLUSTER_SHUTDOWN_GRACE_SECONDS", "91", "DATACLUSTER_SHUTDOWN_GRACE_SECONDS: '91' is not valid; accepted: an integer from 0 to 90")]
    [InlineData("DATACLUSTER_LOG_LEVEL", "None", "DATACLUSTER_LOG_LEVEL: 'None' is not valid")]
    [InlineData("DATACLUSTER_SUBSTITUTES", "yes", "DATACLUSTER_SUBSTITUTES: 'yes' is not valid; accepted: true, false")]
    [InlineData("DATACLUSTER_PEER_PORT", "8080", "DATACLUSTER_PEER_PORT: 8080 is the same as DATACLUSTER_CLIENT_PORT")]
    public void Invalid_values_are_reported_in_one_line_naming_the_variable(string variable, string value, string expected)
    {
        var env = Minimal();
        if (value.Length == 0)
        {
            env.Remove(variable);
        }
        else
        {
            env[variable] = value;
        }

        var error = Assert.Throws<AgentConfigurationException>(() => Read(env));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Help_lists_every_variable_with_its_default()
    {
        var help = AgentOptionsReader.HelpTable();

        foreach (var variable in AgentEnvironment.All)
        {
            Assert.Contains(variable.Name, help, StringComparison.Ordinal);
        }

        Assert.Contains("DATACLUSTER_LEASE_DURATION_SECONDS", help, StringComparison.Ordinal);
        Assert.Contains("(required)", help, StringComparison.Ordinal);
    }
}
