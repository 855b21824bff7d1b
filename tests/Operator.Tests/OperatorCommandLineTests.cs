using System.Net;
using DataCluster.Operator.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DataCluster.Operator.Tests;

public class OperatorCommandLineTests
{
    private static OperatorCommandLineResult Parse(string[] args, Dictionary<string, string>? env = null) =>
        OperatorCommandLine.Parse(args, name => env?.GetValueOrDefault(name));

    [Fact]
    public void Without_flags_every_setting_has_its_documented_default()
    {
        var options = Parse([]).Options!;

        Assert.Empty(options.Namespaces);
        Assert.True(options.LeaderElect);
        Assert.Null(options.LeaderElectionNamespace);
        Assert.Equal("datacluster-operator", options.LeaderElectionLeaseName);
        Assert.Equal(new BindAddress(null, 8080), options.MetricsBindAddress);
        Assert.Equal(new BindAddress(null, 8081), options.HealthProbeBindAddress);
        Assert.StartsWith("ghcr.io/datacluster/agent:", options.AgentImage, StringComparison.Ordinal);
        Assert.Equal(("json", LogLevel.Information, 2), (options.LogFormat, options.LogLevel, options.Workers));
        Assert.Null(options.Kubeconfig);
    }

    [Fact]
    public void Flags_in_both_spellings_set_the_options_and_run_is_optional()
    {
        var options = Parse([
            "run", "--namespaces=a,b", "--leader-elect=false", "--leader-election-namespace", "ops",
            "--metrics-bind-address", "127.0.0.1:9090", "--health-probe-bind-address=[::1]:9091", "--agent-image=reg/agent:2",
            "--log-format", "text", "--log-level=debug", "--kubeconfig", "/tmp/kc", "--workers=4"]).Options!;

        Assert.Equal(["a", "b"], options.Namespaces);
        Assert.False(options.LeaderElect);
        Assert.Equal("ops", options.LeaderElectionNamespace);
        Assert.Equal(new BindAddress(IPAddress.Loopback, 9090), options.MetricsBindAddress);
        Assert.Equal(new BindAddress(IPAddress.IPv6Loopback, 9091), options.HealthProbeBindAddress);
        Assert.Equal(("reg/agent:2", "text", LogLevel.Debug, "/tmp/kc", 4), (options.AgentImage, options.LogFormat, options.LogLevel, options.Kubeconfig, options.Workers));
    }

    [Fact]
    public void Environment_variables_apply_when_the_flag_is_absent_and_the_flag_wins()
    {
        var env = new Dictionary<string, string>
        {
            ["WATCH_NAMESPACES"] = "team-a, team-b",
            ["DATACLUSTER_AGENT_IMAGE"] = "env/agent:1",
            ["DATACLUSTER_LOG_FORMAT"] = "text",
            ["POD_NAMESPACE"] = "operators",
        };

        var options = Parse(["--log-format=json"], env).Options!;

        Assert.Equal(["team-a", "team-b"], options.Namespaces);
        Assert.Equal("env/agent:1", options.AgentImage);
        Assert.Equal("json", options.LogFormat);
        Assert.Equal("operators", options.LeaderElectionNamespace);
    }

    [Fact]
    public void A_bare_leader_elect_flag_means_true_and_metrics_can_be_disabled()
    {
        var options = Parse(["--leader-elect", "--metrics-bind-address=0"]).Options!;

        Assert.True(options.LeaderElect);
        Assert.Null(options.MetricsBindAddress);
    }

    [Theory]
    [InlineData("--log-format=xml", "--log-format is 'xml': use json or text")]
    [InlineData("--log-level=loud", "--log-level is 'loud': use Trace, Debug, Information, Warning, Error, Critical")]
    [InlineData("--leader-elect=maybe", "--leader-elect is 'maybe': use true or false")]
    [InlineData("--metrics-bind-address=:99999", "--metrics-bind-address is ':99999': use [HOST]:PORT, or 0 to disable")]
    [InlineData("--namespaces=Bad_Name", "--namespaces is 'Bad_Name': use a comma-separated list of namespaces")]
    [InlineData("--workers=0", "--workers is '0': use an integer from 1 to 64")]
    [InlineData("--frobnicate", "unknown argument '--frobnicate': accepted flags are --namespaces,")]
    public void An_invalid_flag_is_one_line_naming_the_flag_and_the_accepted_values(string arg, string expected)
    {
        var result = Parse([arg]);

        Assert.Null(result.Options);
        Assert.DoesNotContain('\n', result.Error!);
        Assert.StartsWith("datacluster-operator: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_environment_variable_names_the_variable_and_its_flag()
    {
        var result = Parse([], new Dictionary<string, string> { ["DATACLUSTER_LOG_FORMAT"] = "yaml" });

        Assert.Equal("datacluster-operator: DATACLUSTER_LOG_FORMAT (environment of --log-format) is 'yaml': use json or text", result.Error);
    }

    [Fact]
    public void Help_lists_every_flag_with_its_variable()
    {
        Assert.True(Parse(["--help"]).Help);
        var help = OperatorCommandLine.Help();
        foreach (var (flag, variable) in new[]
        {
            ("--namespaces", "WATCH_NAMESPACES"), ("--leader-elect", "DATACLUSTER_LEADER_ELECT"), ("--leader-election-namespace", "DATACLUSTER_LEADER_ELECTION_NAMESPACE"),
            ("--metrics-bind-address", "DATACLUSTER_METRICS_BIND_ADDRESS"), ("--health-probe-bind-address", "DATACLUSTER_HEALTH_PROBE_BIND_ADDRESS"),
            ("--agent-image", "DATACLUSTER_AGENT_IMAGE"), ("--log-format", "DATACLUSTER_LOG_FORMAT"), ("--log-level", "DATACLUSTER_LOG_LEVEL"), ("--kubeconfig", "KUBECONFIG"),
        })
        {
            Assert.Contains($"{flag} ({variable})", help, StringComparison.Ordinal);
        }
    }
}
