using System.Globalization;
using DataCluster.Agent.Configuration;
using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Crd;
using DataCluster.Replication;
using DataCluster.Ring;
using Xunit;

namespace DataCluster.Agent.Tests.Configuration;

/// <summary>
/// Every limit and default in <see cref="Limits"/> is written once; this checks that each place
/// that states it to a user says the same: the CRD schema, the operator's validation messages,
/// the agent's variable table (its --help and the README) and configuration reader, and the ring.
/// </summary>
public sealed class LimitsAgreementTests
{
    /// <summary>One limited setting: where it sits in the spec, which agent variable carries it, and its limits.</summary>
    public sealed record Setting(string SpecPath, string? Variable, int Min, int Max, int Default, Action<DataClusterSpec, int> Set)
    {
        public override string ToString() => SpecPath;
    }

    public static TheoryData<Setting> Settings =>
    [
        new Setting("spec.partitions", AgentEnvironment.Partitions, Limits.Partitions.Min, Limits.Partitions.Max, Limits.Partitions.Default, (s, v) => s.Partitions = v),
        new Setting("spec.replication.factor", AgentEnvironment.ReplicationFactor, Limits.ReplicationFactor.Min, Limits.ReplicationFactor.Max, Limits.ReplicationFactor.Default, (s, v) =>
        {
            s.Replication.Factor = v;
            s.Replicas = Math.Max(v, 1);
        }),
        new Setting("spec.agent.leaseDurationSeconds", AgentEnvironment.LeaseDurationSeconds, Limits.LeaseDurationSeconds.Min, Limits.LeaseDurationSeconds.Max, Limits.LeaseDurationSeconds.Default, (s, v) =>
        {
            s.Agent.LeaseDurationSeconds = v;
            s.Agent.RenewIntervalSeconds = Limits.RenewIntervalSeconds.Min;
        }),
        new Setting("spec.agent.renewIntervalSeconds", AgentEnvironment.RenewIntervalSeconds, Limits.RenewIntervalSeconds.Min, Limits.RenewIntervalSeconds.Max, Limits.RenewIntervalSeconds.Default, (s, v) =>
        {
            s.Agent.RenewIntervalSeconds = v;
            s.Agent.LeaseDurationSeconds = Limits.LeaseDurationSeconds.Max;
        }),
        new Setting("spec.replication.otherZoneReplicas", null, Limits.PlacedReplicas.Min, Limits.PlacedReplicas.Max, 0, (s, v) => s.Replication.OtherZoneReplicas = v),
        new Setting("spec.replication.otherRegionReplicas", null, Limits.PlacedReplicas.Min, Limits.PlacedReplicas.Max, 0, (s, v) => s.Replication.OtherRegionReplicas = v),
    ];

    [Theory]
    [MemberData(nameof(Settings))]
    public void The_CRD_schema_states_the_limits_and_the_default(Setting setting)
    {
        var schema = SchemaAt(setting.SpecPath);

        Assert.Equal(setting.Min, schema.Minimum);
        Assert.Equal(setting.Max, schema.Maximum);
        Assert.Equal(setting.Default, schema.Default?.GetInt32() ?? 0);
        Assert.Equal(setting.Default, ValueOf(new DataClusterSpec(), setting));
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Validation_accepts_the_limits_and_names_them_when_refusing(Setting setting)
    {
        Assert.DoesNotContain(ProblemsAt(setting, setting.Min), p => p.Field == setting.SpecPath);
        Assert.DoesNotContain(ProblemsAt(setting, setting.Max), p => p.Field == setting.SpecPath && setting.Variable is not null);
        if (setting.Variable is null)
        {
            // The placement counts are bounded together by the factor; their message says so.
            Assert.Contains(ProblemsAt(setting, setting.Min - 1), p => p.Field == setting.SpecPath);
            return;
        }

        foreach (var outside in new[] { setting.Min - 1, setting.Max + 1 })
        {
            var problem = Assert.Single(ProblemsAt(setting, outside), p => p.Field == setting.SpecPath);
            Assert.Contains($"must be between {setting.Min} and {setting.Max}", problem.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void The_agent_table_and_reader_state_and_enforce_the_same_limits(Setting setting)
    {
        if (setting.Variable is not { } variable)
        {
            return;
        }

        var row = AgentEnvironment.All.Single(v => v.Name == variable);
        Assert.StartsWith(Limits.Range(setting.Min, setting.Max), row.Accepted, StringComparison.Ordinal);
        Assert.Equal(setting.Default.ToString(CultureInfo.InvariantCulture), row.Default);
        Assert.Contains(row.Accepted, AgentOptionsReader.HelpTable(), StringComparison.Ordinal);

        Read(variable, setting.Max, setting);
        Read(variable, setting.Min, setting);
        foreach (var outside in new[] { setting.Min - 1, setting.Max + 1 })
        {
            var error = Assert.Throws<AgentConfigurationException>(() => Read(variable, outside, setting));
            Assert.StartsWith(variable, error.Message, StringComparison.Ordinal);
            Assert.Contains($"{setting.Min}", error.Message, StringComparison.Ordinal);
            Assert.Contains($"{setting.Max}", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_ring_refuses_what_the_limits_refuse()
    {
        Assert.NotNull(new AssignmentSettings(Limits.Partitions.Max, Limits.ReplicationFactor.Max));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AssignmentSettings(Limits.Partitions.Max + 1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AssignmentSettings(Limits.Partitions.Min - 1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AssignmentSettings(16, Limits.ReplicationFactor.Max + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AssignmentSettings(16, Limits.ReplicationFactor.Min - 1));
    }

    [Fact]
    public void Commit_levels_agree_between_the_spec_the_agent_and_the_table()
    {
        Assert.Equal(CommitLevels.Values, SchemaAt("spec.replication.commitLevel").Enum!.Select(e => e.GetString()!));
        Assert.Equal(CommitLevels.Values, Enum.GetNames<CommitLevel>());
        Assert.Equal(CommitLevels.Default, new DataClusterSpec().Replication.CommitLevel);
        var row = AgentEnvironment.All.Single(v => v.Name == AgentEnvironment.CommitLevel);
        Assert.Equal((CommitLevels.Default, CommitLevels.Accepted), (row.Default, row.Accepted));
    }

    private static JsonSchemaProps SchemaAt(string path)
    {
        var schema = CrdGenerator.Generate().Spec.Versions.Single().Schema!.OpenApiV3Schema!;
        foreach (var name in path.Split('.'))
        {
            schema = schema.Properties![name];
        }

        return schema;
    }

    private static int ValueOf(DataClusterSpec spec, Setting setting) => setting.SpecPath switch
    {
        "spec.partitions" => spec.Partitions,
        "spec.replication.factor" => spec.Replication.Factor,
        "spec.agent.leaseDurationSeconds" => spec.Agent.LeaseDurationSeconds,
        "spec.agent.renewIntervalSeconds" => spec.Agent.RenewIntervalSeconds,
        "spec.replication.otherZoneReplicas" => spec.Replication.OtherZoneReplicas,
        _ => spec.Replication.OtherRegionReplicas,
    };

    private static IReadOnlyList<ValidationProblem> ProblemsAt(Setting setting, int value)
    {
        var cluster = new Operator.Api.DataCluster { Metadata = new ObjectMeta { Name = "orders", Namespace = "shop", Uid = "uid" } };
        cluster.Spec.Replicas = Limits.ReplicationFactor.Max;
        cluster.Spec.Replication.Factor = Limits.ReplicationFactor.Max;
        setting.Set(cluster.Spec, value);
        return Validation.Validate(Defaults.Apply(cluster), "registry.example/agent:1");
    }

    private static AgentOptions Read(string variable, int value, Setting setting)
    {
        var env = new Dictionary<string, string>
        {
            [AgentEnvironment.ClusterName] = "orders",
            [AgentEnvironment.PodName] = "orders-0",
            [AgentEnvironment.PodNamespace] = "shop",
            [AgentEnvironment.PodIp] = "10.1.2.3",
            [variable] = value.ToString(CultureInfo.InvariantCulture),
        };
        if (variable == AgentEnvironment.LeaseDurationSeconds)
        {
            env[AgentEnvironment.RenewIntervalSeconds] = Limits.RenewIntervalSeconds.Min.ToString(CultureInfo.InvariantCulture);
        }
        else if (variable == AgentEnvironment.RenewIntervalSeconds)
        {
            env[AgentEnvironment.LeaseDurationSeconds] = Limits.LeaseDurationSeconds.Max.ToString(CultureInfo.InvariantCulture);
        }

        _ = setting;
        return AgentOptionsReader.Read(name => env.GetValueOrDefault(name));
    }
}
