using System.Text.Json;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using Xunit;

namespace DataCluster.Operator.Tests;

public class StatefulSetBuilderTests
{
    private static readonly BuilderOptions Options = new() { DefaultAgentImage = TestClusters.AgentImage };

    private static StatefulSet Build(Action<DataClusterSpec>? configure = null, int? replicas = null) =>
        StatefulSetBuilder.Build(Defaults.Apply(TestClusters.Create(configure)), Options, replicas);

    private static Container Agent(StatefulSet statefulSet) =>
        statefulSet.Spec.Template.Spec.Containers.Single(c => c.Name == "datacluster-agent");

    private static string? Env(Container container, string name) => container.Env!.Last(e => e.Name == name).Value;

    [Fact]
    public void StatefulSet_runs_spec_replicas_in_parallel_behind_the_peer_service_with_rolling_updates()
    {
        var statefulSet = Build(spec => spec.Replicas = 5);

        Assert.Equal(5, statefulSet.Spec.Replicas);
        Assert.Equal("demo-peers", statefulSet.Spec.ServiceName);
        Assert.Equal("Parallel", statefulSet.Spec.PodManagementPolicy);
        Assert.Equal("RollingUpdate", statefulSet.Spec.UpdateStrategy!.Type);
        Assert.Null(statefulSet.Spec.UpdateStrategy.RollingUpdate);
    }

    [Fact]
    public void Replica_override_keeps_members_running_while_they_drain()
    {
        Assert.Equal(5, Build(spec => spec.Replicas = 3, replicas: 5).Spec.Replicas);
    }

    [Fact]
    public void Selector_holds_only_labels_that_never_change_and_the_pods_match_it()
    {
        var statefulSet = Build(spec => spec.Template = TestClusters.AppTemplate());

        Assert.Equal(
            new Dictionary<string, string> { ["app.kubernetes.io/name"] = "datacluster", ["app.kubernetes.io/instance"] = "demo" },
            statefulSet.Spec.Selector.MatchLabels);
        var podLabels = statefulSet.Spec.Template.Metadata.Labels!;
        Assert.All(statefulSet.Spec.Selector.MatchLabels!, label => Assert.Equal(label.Value, podLabels[label.Key]));
    }

    [Fact]
    public void Pod_labels_are_the_standard_ones_plus_the_users_which_cannot_override_ours()
    {
        var template = Build(spec => spec.Template = TestClusters.AppTemplate()).Spec.Template;

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["app"] = "orders",
                ["app.kubernetes.io/name"] = "datacluster",
                ["app.kubernetes.io/instance"] = "demo",
                ["app.kubernetes.io/component"] = "member",
                ["app.kubernetes.io/part-of"] = "datacluster",
                ["app.kubernetes.io/managed-by"] = "datacluster-operator",
                ["datacluster.dev/cluster"] = "demo",
            },
            template.Metadata.Labels);
        Assert.Equal("payments", template.Metadata.Annotations!["team"]);
    }

    [Fact]
    public void User_containers_come_first_unchanged_with_their_unknown_fields_and_the_agent_is_appended()
    {
        var statefulSet = Build(spec => spec.Template = TestClusters.AppTemplate());
        var pod = statefulSet.Spec.Template.Spec;

        Assert.Equal(["app", "datacluster-agent"], pod.Containers.Select(c => c.Name));
        Assert.Equal("busybox:1.36", pod.Containers[0].Image);
        Assert.Equal("""{"kept":true}""", pod.Containers[0].ExtensionData!["futureField"].GetRawText());
        Assert.True(pod.ExtensionData!.ContainsKey("hostAliases"));
        Assert.Contains(pod.Volumes!, v => v.Name == "scratch" && v.EmptyDir is not null);
    }

    [Fact]
    public void Building_does_not_change_the_clusters_template()
    {
        var cluster = TestClusters.Create(spec => spec.Template = TestClusters.AppTemplate());
        var before = JsonSerializer.Serialize(cluster, OperatorJsonContext.Default.DataCluster);

        StatefulSetBuilder.Build(Defaults.Apply(cluster), Options);

        Assert.Equal(before, JsonSerializer.Serialize(cluster, OperatorJsonContext.Default.DataCluster));
    }

    [Fact]
    public void Without_a_template_the_pod_runs_only_the_agent()
    {
        var pod = Build().Spec.Template.Spec;

        Assert.Equal(["datacluster-agent"], pod.Containers.Select(c => c.Name));
    }

    [Fact]
    public void Agent_gets_its_pod_identity_from_the_downward_api()
    {
        var agent = Agent(Build());

        var fieldRefs = agent.Env!.Where(e => e.ValueFrom?.FieldRef is not null)
            .ToDictionary(e => e.Name, e => e.ValueFrom!.FieldRef!.FieldPath);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["POD_NAME"] = "metadata.name",
                ["POD_NAMESPACE"] = "metadata.namespace",
                ["POD_IP"] = "status.podIP",
                ["NODE_NAME"] = "spec.nodeName",
            },
            fieldRefs);
    }

    public static TheoryData<string, string> SpecDeterminedVariables() => new()
    {
        { AgentEnvironment.ClusterName, "demo" },
        { AgentEnvironment.ClientPort, "8080" },
        { AgentEnvironment.PeerPort, "7070" },
        { AgentEnvironment.DataDirectory, "/var/lib/datacluster" },
        { AgentEnvironment.PeerTokenFile, "/var/run/datacluster/peer-token/token" },
        { AgentEnvironment.LeaseDurationSeconds, "9" },
        { AgentEnvironment.RenewIntervalSeconds, "3" },
        { AgentEnvironment.Partitions, "1024" },
        { AgentEnvironment.ReplicationFactor, "5" },
        { AgentEnvironment.CommitLevel, "All" },
        { AgentEnvironment.OtherZoneReplicas, "2" },
        { AgentEnvironment.OtherRegionReplicas, "1" },
        { AgentEnvironment.Substitutes, "false" },
        { AgentEnvironment.AppDeliveryUrl, "http://localhost:9000/events" },
        { AgentEnvironment.LogLevel, "Debug" },
    };

    [Theory]
    [MemberData(nameof(SpecDeterminedVariables))]
    public void Agent_gets_every_variable_the_spec_determines(string variable, string expected)
    {
        var agent = Agent(Build(spec =>
        {
            spec.Replicas = 6;
            spec.Partitions = 1024;
            spec.Replication = new ReplicationSpec { Factor = 5, CommitLevel = "All", OtherZoneReplicas = 2, OtherRegionReplicas = 1, Substitutes = false };
            spec.Agent.LeaseDurationSeconds = 9;
            spec.Agent.RenewIntervalSeconds = 3;
            spec.Agent.AppDeliveryUrl = "http://localhost:9000/events";
            spec.Agent.LogLevel = "Debug";
        }));

        Assert.Equal(expected, Env(agent, variable));
    }

    [Fact]
    public void Substitutes_are_on_unless_the_spec_turns_them_off()
    {
        Assert.Equal("true", Env(Agent(Build()), AgentEnvironment.Substitutes));
        Assert.Equal("false", Env(Agent(Build(spec => spec.Replication.Substitutes = false)), AgentEnvironment.Substitutes));
    }

    [Fact]
    public void Agent_environment_follows_the_documented_table_order_and_leaves_the_delivery_url_unset_when_not_given()
    {
        var names = Agent(Build()).Env!.Select(e => e.Name).ToList();
        var agentNames = names.SkipLast(AgentRuntimeEnvironment.All.Count).ToList();

        Assert.Equal(AgentEnvironment.All.Select(v => v.Name).Where(names.Contains), agentNames);
        Assert.DoesNotContain(AgentEnvironment.AppDeliveryUrl, names);
        Assert.Empty(AgentEnvironment.All.Where(v => v.Required).Select(v => v.Name).Except(names));
    }

    [Fact]
    public void Agent_container_turns_off_the_runtime_double_mapping_of_code_after_the_agent_variables()
    {
        var env = Agent(Build()).Env!;

        Assert.Equal(AgentRuntimeEnvironment.All.Select(v => v.Key), env.TakeLast(AgentRuntimeEnvironment.All.Count).Select(e => e.Name));
        Assert.Equal("0", Env(Agent(Build()), "DOTNET_EnableWriteXorExecute"));
    }

    [Fact]
    public void User_agent_env_overrides_a_runtime_setting()
    {
        var agent = Agent(Build(spec => spec.Agent.Env = [new EnvVar { Name = "DOTNET_EnableWriteXorExecute", Value = "1" }]));

        Assert.Equal("1", Env(agent, "DOTNET_EnableWriteXorExecute"));
        Assert.Single(agent.Env!, e => e.Name == "DOTNET_EnableWriteXorExecute");
    }

    [Fact]
    public void User_agent_env_replaces_the_operators_variables_of_the_same_names_so_no_name_is_listed_twice()
    {
        var agent = Agent(Build(spec => spec.Agent.Env =
        [
            new EnvVar { Name = AgentRuntimeEnvironment.Gen0Size, Value = "0x1000000" },
            new EnvVar { Name = "DATACLUSTER_LOG_LEVEL", Value = "Debug" },
        ]));
        var names = agent.Env!.Select(e => e.Name).ToList();

        Assert.Equal(names.Distinct(), names);
        Assert.Equal([AgentRuntimeEnvironment.Gen0Size, "DATACLUSTER_LOG_LEVEL"], names.TakeLast(2));
        Assert.Equal("0x1000000", Env(agent, AgentRuntimeEnvironment.Gen0Size));
        Assert.Contains(AgentRuntimeEnvironment.WriteXorExecute, names);
    }

    [Fact]
    public void User_agent_env_is_appended_so_it_wins()
    {
        var agent = Agent(Build(spec => spec.Agent.Env =
        [
            new EnvVar { Name = "OTEL_EXPORTER_OTLP_ENDPOINT", Value = "http://collector:4317" },
            new EnvVar { Name = "DATACLUSTER_LOG_LEVEL", Value = "Trace" },
        ]));

        Assert.Equal(["OTEL_EXPORTER_OTLP_ENDPOINT", "DATACLUSTER_LOG_LEVEL"], agent.Env!.TakeLast(2).Select(e => e.Name));
        Assert.Equal("Trace", Env(agent, "DATACLUSTER_LOG_LEVEL"));
    }

    [Theory]
    [InlineData(null, null, TestClusters.AgentImage, null)]
    [InlineData("registry.example/agent:2", "Always", "registry.example/agent:2", "Always")]
    public void Agent_image_comes_from_the_spec_or_the_operator_default(string? image, string? pullPolicy, string expectedImage, string? expectedPolicy)
    {
        var agent = Agent(Build(spec =>
        {
            spec.Agent.Image = image;
            spec.Agent.ImagePullPolicy = pullPolicy;
        }));

        Assert.Equal((expectedImage, expectedPolicy), (agent.Image, agent.ImagePullPolicy));
    }

    [Fact]
    public void Agent_exposes_client_and_peer_ports_and_probes_health_on_the_client_port()
    {
        var agent = Agent(Build());

        Assert.Equal([("http", 8080, "TCP"), ("peer", 7070, "TCP")], agent.Ports!.Select(p => (p.Name, p.Port, p.Protocol)));
        Assert.Equal(("/readyz", "http"), (agent.ReadinessProbe!.HttpGet!.Path, agent.ReadinessProbe.HttpGet.Port.StringValue));
        Assert.Equal(("/healthz", "http"), (agent.LivenessProbe!.HttpGet!.Path, agent.LivenessProbe.HttpGet.Port.StringValue));
        Assert.Equal(("/healthz", "http"), (agent.StartupProbe!.HttpGet!.Path, agent.StartupProbe.HttpGet.Port.StringValue));
        Assert.True(agent.LivenessProbe.PeriodSeconds * agent.LivenessProbe.FailureThreshold >= 60, "liveness must be patient");
        Assert.True(agent.StartupProbe.PeriodSeconds * agent.StartupProbe.FailureThreshold >= 300, "startup must cover log recovery");
    }

    [Fact]
    public void Agent_runs_with_the_restricted_security_profile()
    {
        var security = Agent(Build()).SecurityContext!;

        Assert.True(security.RunAsNonRoot);
        Assert.False(security.AllowPrivilegeEscalation);
        Assert.True(security.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], security.Capabilities!.Drop!);
        Assert.Null(security.Capabilities.Add);
        Assert.Equal("RuntimeDefault", security.SeccompProfile!.Type);
        Assert.NotEqual(0, security.RunAsUser);
        Assert.Null(security.Privileged);
    }

    [Fact]
    public void Pod_gives_the_agent_its_volume_group_unless_the_user_chose_one()
    {
        Assert.Equal(AgentContainer.UserId, Build().Spec.Template.Spec.SecurityContext!.FsGroup);

        var custom = TestClusters.AppTemplate();
        custom.Spec.SecurityContext = new PodSecurityContext { FsGroup = 2000, RunAsNonRoot = true };
        var pod = Build(spec => spec.Template = custom).Spec.Template.Spec;
        Assert.Equal(2000, pod.SecurityContext!.FsGroup);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
    }

    [Fact]
    public void Agent_mounts_data_read_only_peer_token_and_a_writable_tmp()
    {
        var statefulSet = Build();
        var agent = Agent(statefulSet);
        var volumes = statefulSet.Spec.Template.Spec.Volumes!;

        Assert.Equal(
            [("data", "/var/lib/datacluster", (bool?)null), ("peer-token", "/var/run/datacluster/peer-token", true), ("datacluster-tmp", "/tmp", null)],
            agent.VolumeMounts!.Select(m => (m.Name, m.MountPath, m.ReadOnly)));
        var token = Assert.Single(volumes, v => v.Name == "peer-token").Secret!;
        Assert.Equal(("demo-peer-token", 256), (token.SecretName, token.DefaultMode!.Value));
        Assert.NotNull(Assert.Single(volumes, v => v.Name == "datacluster-tmp").EmptyDir);
        Assert.DoesNotContain(volumes, v => v.Name == "data");
    }

    [Theory]
    [InlineData("5Gi", null)]
    [InlineData("20Gi", "fast-ssd")]
    public void Data_volume_claim_template_asks_for_the_spec_size_and_class(string size, string? storageClass)
    {
        var claim = Assert.Single(Build(spec => spec.Storage = new StorageSpec { Size = size, StorageClassName = storageClass }).Spec.VolumeClaimTemplates!);

        Assert.Equal("data", claim.Metadata.Name);
        Assert.Equal(["ReadWriteOnce"], claim.Spec.AccessModes!);
        Assert.Equal(size, claim.Spec.Resources!.Requests!["storage"]);
        Assert.Equal(storageClass, claim.Spec.StorageClassName);
        Assert.DoesNotContain(LabelKeys.Component, claim.Metadata.Labels!.Keys);
        Assert.Null(claim.Metadata.OwnerReferences);
    }

    [Fact]
    public void Pod_runs_as_the_agent_service_account_with_its_token_mounted()
    {
        var custom = TestClusters.AppTemplate();
        custom.Spec.ServiceAccountName = "someone-else";
        custom.Spec.AutomountServiceAccountToken = false;

        var pod = Build(spec => spec.Template = custom).Spec.Template.Spec;

        Assert.Equal("demo-agent", pod.ServiceAccountName);
        Assert.True(pod.AutomountServiceAccountToken);
    }

    [Theory]
    [InlineData(null, StatefulSetBuilder.TerminationGracePeriodSeconds)]
    [InlineData(30L, StatefulSetBuilder.TerminationGracePeriodSeconds)]
    [InlineData(600L, 600L)]
    public void Grace_period_leaves_time_for_a_handoff_and_never_shortens_the_users(long? users, long expected)
    {
        var template = TestClusters.AppTemplate();
        template.Spec.TerminationGracePeriodSeconds = users;

        Assert.Equal(expected, Build(spec => spec.Template = template).Spec.Template.Spec.TerminationGracePeriodSeconds);
    }

    [Fact]
    public void The_pod_grace_period_outlasts_the_longest_handoff_and_stop_the_agent_may_take()
    {
        // The kubelet sends SIGKILL after the grace period: the agent's longest handoff plus its
        // host's stop must end before that, or a handoff is cut off in the middle.
        var grace = Build(_ => { }).Spec.Template.Spec.TerminationGracePeriodSeconds;
        Assert.NotNull(grace);
        Assert.True(
            grace > Contracts.Limits.ShutdownGraceSeconds.Max + Contracts.Limits.ShutdownGraceSeconds.HostStopSeconds,
            $"terminationGracePeriodSeconds {grace} leaves no room for a {Contracts.Limits.ShutdownGraceSeconds.Max} s handoff and a {Contracts.Limits.ShutdownGraceSeconds.HostStopSeconds} s stop");
    }

    [Fact]
    public void Members_spread_over_the_zone_label_when_the_user_gave_no_spread()
    {
        var spread = Assert.Single(Build(spec => spec.Topology.ZoneLabel = "example.com/rack").Spec.Template.Spec.TopologySpreadConstraints!);

        Assert.Equal((1, "example.com/rack", "ScheduleAnyway"), (spread.MaxSkew, spread.TopologyKey, spread.WhenUnsatisfiable));
        Assert.Equal(Labels.Selector("demo"), spread.LabelSelector!.MatchLabels);
    }

    [Fact]
    public void Users_own_spread_constraints_replace_ours()
    {
        var template = TestClusters.AppTemplate();
        template.Spec.TopologySpreadConstraints = [new TopologySpreadConstraint { MaxSkew = 2, TopologyKey = "kubernetes.io/hostname", WhenUnsatisfiable = "DoNotSchedule" }];

        var spread = Assert.Single(Build(spec => spec.Template = template).Spec.Template.Spec.TopologySpreadConstraints!);

        Assert.Equal("kubernetes.io/hostname", spread.TopologyKey);
    }

    [Fact]
    public void StatefulSet_serializes_for_the_api_server_with_quantities_as_strings()
    {
        var statefulSet = Build(spec => spec.Agent.Resources = new AgentResources { Requests = new() { ["cpu"] = "100m" } });

        using var document = JsonDocument.Parse(KubeResources.StatefulSets.Serialize(statefulSet));
        var root = document.RootElement;

        Assert.Equal("apps/v1", root.GetProperty("apiVersion").GetString());
        Assert.Equal("1Gi", root.GetProperty("spec").GetProperty("volumeClaimTemplates")[0].GetProperty("spec").GetProperty("resources").GetProperty("requests").GetProperty("storage").GetString());
        var agent = root.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0];
        Assert.Equal("100m", agent.GetProperty("resources").GetProperty("requests").GetProperty("cpu").GetString());
    }
}
