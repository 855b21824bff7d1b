using System.Text.Json.Nodes;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>
/// Invalid specs: what the schema can express the API server rejects; the rest is reported as
/// Valid=False with a fix-it message and a Warning Event, nothing else of that cluster is touched,
/// and other clusters are served as usual.
/// </summary>
[Collection(OperatorCollection.Name)]
public sealed class InvalidSpecTests(OperatorFixture fixture)
{
    private static readonly ResourceType<GenericObject> Raw = GenericResource.For(DataClusterApi.Group, DataClusterApi.Version, DataClusterApi.Kind, DataClusterApi.Plural, namespaced: true);

    /// <summary>One invalid spec: rejected by the API server with a message, or reported by the operator with a fix-it.</summary>
    public sealed record Case(string Name, string Spec, string? RejectedWith = null, string? ReportedWith = null, string? ClusterName = null);

    public static readonly Case[] Cases =
    [
        new("no members", """{"replicas":0}""", RejectedWith: "spec.replicas in body should be greater than or equal to 1"),
        new("too many partitions", """{"partitions":70000}""", RejectedWith: "spec.partitions in body should be less than or equal to 65536"),
        new("unknown commit level", """{"replication":{"commitLevel":"Most"}}""", RejectedWith: "spec.replication.commitLevel: Unsupported value: \"Most\""),
        new("lease shorter than 2 s", """{"agent":{"leaseDurationSeconds":1}}""", RejectedWith: "spec.agent.leaseDurationSeconds in body should be greater than or equal to 2"),
        new("storage size not a quantity", """{"storage":{"size":"lots"}}""", RejectedWith: "spec.storage.size in body should match"),
        new("delivery URL not http", """{"agent":{"appDeliveryUrl":"ftp://app/events"}}""", RejectedWith: "spec.agent.appDeliveryUrl in body should match"),
        new("factor greater than replicas", """{"replicas":2,"replication":{"factor":3}}""", ReportedWith: "lower the factor to at most 2 or raise replicas to at least 3"),
        new("placement beyond the factor", """{"replication":{"factor":2,"otherZoneReplicas":1,"otherRegionReplicas":1}}""", ReportedWith: "lower them to 1 in total or raise the factor to at least 3"),
        new("renewal not shorter than the lease", """{"agent":{"leaseDurationSeconds":6,"renewIntervalSeconds":6}}""", ReportedWith: "lower renewIntervalSeconds to 2"),
        new("app container named like the agent", """{"template":{"spec":{"containers":[{"name":"datacluster-agent","image":"busybox"}]}}}""", ReportedWith: "rename your container"),
        new("app container on the agent's port", """{"template":{"spec":{"containers":[{"name":"app","image":"busybox","ports":[{"containerPort":8080}]}]}}}""", ReportedWith: "move your container to another port"),
        new("pods that do not restart", """{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"app","image":"busybox"}]}}}""", ReportedWith: "remove restartPolicy or set it to Always"),
        new("template that is not a pod template", """{"template":{"spec":{"containers":"app"}}}""", ReportedWith: "spec.template.spec.containers holds a value of the wrong type"),
        new("variable named twice", """{"agent":{"env":[{"name":"LANG","value":"C"},{"name":"LANG","value":"POSIX"}]}}""", ReportedWith: "'LANG' is already given by spec.agent.env[0]"),
        new("name too long for the StatefulSet", "{}", ReportedWith: "under a name of at most 52", ClusterName: "a-name-that-is-far-too-long-for-the-pods-of-a-statefulset-x"),
    ];

    public static TheoryData<string> Rejected() => [.. Cases.Where(c => c.RejectedWith is not null).Select(c => c.Name)];

    /// <summary>The agent container's environment in <paramref name="statefulSet"/>.</summary>
    private static List<EnvVar> AgentEnv(StatefulSet statefulSet) =>
        statefulSet.Spec.Template.Spec.Containers.Single(c => c.Name == AgentPaths.ContainerName).Env!;

    private static GenericObject Object(string ns, string name, string spec)
    {
        var obj = new GenericObject { Metadata = new ObjectMeta { Name = name, Namespace = ns } };
        obj.SetNode("spec", JsonNode.Parse(spec));
        return obj;
    }

    [Theory]
    [MemberData(nameof(Rejected))]
    public async Task The_API_server_rejects_what_the_schema_expresses(string name)
    {
        await fixture.RequireOperatorAsync();
        var @case = Cases.Single(c => c.Name == name);
        var ns = await fixture.CreateNamespaceAsync("reject");

        var error = await Assert.ThrowsAsync<InvalidException>(() => fixture.Admin.CreateAsync(Raw, Object(ns, "bad", @case.Spec), TestContext.Current.CancellationToken));

        Assert.Contains(@case.RejectedWith!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Specs_the_schema_cannot_judge_are_reported_as_Valid_False_with_a_fix_and_one_warning_while_other_clusters_converge()
    {
        await fixture.RequireOperatorAsync();
        var ct = TestContext.Current.CancellationToken;
        var admin = fixture.Admin;
        var ns = await fixture.CreateNamespaceAsync("invalid");
        await using var simulation = new Simulation(fixture, ns);
        var reported = Cases.Where(c => c.ReportedWith is not null).Select((c, i) => (Case: c, Name: c.ClusterName ?? $"bad-{i}")).ToList();
        foreach (var (@case, name) in reported)
        {
            await admin.CreateAsync(Raw, Object(ns, name, @case.Spec), ct);
        }

        await Clusters.CreateAsync(admin, Clusters.New(ns, "good"));

        foreach (var (@case, name) in reported)
        {
            var cluster = await Eventually.MatchAsync(() => Clusters.GetAsync(admin, ns, name), c => Clusters.Is(c, ConditionTypes.Valid, ConditionStatuses.False),
                Converge.Timeout, $"'{@case.Name}' ({name}) is reported Valid=False", () => fixture.OperatorLogTail);
            var valid = Clusters.Condition(cluster, ConditionTypes.Valid)!;
            Assert.Equal("InvalidSpec", valid.Reason);
            Assert.Contains(@case.ReportedWith!, valid.Message, StringComparison.Ordinal);
            Assert.Equal((ConditionStatuses.True, "InvalidSpec"), (Clusters.Condition(cluster, ConditionTypes.Degraded)!.Status, Clusters.Condition(cluster, ConditionTypes.Degraded)!.Reason));
            TestContext.Current.TestOutputHelper?.WriteLine($"{@case.Name}: {valid.Message}");
        }

        // The valid cluster beside them converges: invalid input never stops the operator.
        await Converge.ReadyAsync(fixture, ns, "good", 3);

        // Each invalid cluster got exactly one Warning per problem, however often it was
        // reconciled since, and none of its objects was created.
        var events = (await admin.ListAsync(KubeResources.Events, ns, cancellationToken: ct)).Items;
        foreach (var (@case, name) in reported)
        {
            var warnings = events.Where(e => e.InvolvedObject.Name == name && e.Reason == "InvalidSpec").ToList();
            var warning = Assert.Single(warnings);
            Assert.Equal(("Warning", 1), (warning.Type, warning.Count));
            Assert.Contains(@case.ReportedWith!, warning.Message, StringComparison.Ordinal);
            Assert.Null(await admin.GetAsync(KubeResources.StatefulSets, ns, name, ct));
            Assert.Null(await admin.GetAsync(KubeResources.ServiceAccounts, ns, ObjectNames.AgentServiceAccount(name), ct));
        }

        // Fixing a spec lets the operator proceed.
        var fixedName = reported.Single(r => r.Case.Name == "factor greater than replicas").Name;
        await Clusters.PatchSpecAsync(admin, ns, fixedName, new JsonObject { ["replication"] = new JsonObject { ["factor"] = 2 } });
        await Converge.ReadyAsync(fixture, ns, fixedName, 2);
        Assert.Contains((await admin.ListAsync(KubeResources.Events, ns, cancellationToken: ct)).Items,
            e => e.InvolvedObject.Name == fixedName && e.Reason == "SpecValid" && e.Type == "Normal");
    }

    [Fact]
    public async Task Changing_partitions_is_reported_and_ignored_until_set_back()
    {
        await fixture.RequireOperatorAsync();
        var ct = TestContext.Current.CancellationToken;
        var admin = fixture.Admin;
        var ns = await fixture.CreateNamespaceAsync("partitions");
        await using var simulation = new Simulation(fixture, ns);
        await Clusters.CreateAsync(admin, Clusters.New(ns, "parts", s => s.Partitions = 64));
        await Converge.ReadyAsync(fixture, ns, "parts", 3);
        var before = (await admin.GetAsync(KubeResources.StatefulSets, ns, "parts", ct))!;

        await Clusters.PatchSpecAsync(admin, ns, "parts", new JsonObject { ["partitions"] = 128 });
        var invalid = await Eventually.MatchAsync(() => Clusters.GetAsync(admin, ns, "parts"), c => Clusters.Is(c, ConditionTypes.Valid, ConditionStatuses.False),
            Converge.Timeout, "the partition change is reported", () => fixture.OperatorLogTail);
        Assert.Contains("set spec.partitions back to 64", Clusters.Condition(invalid, ConditionTypes.Valid)!.Message, StringComparison.Ordinal);
        Assert.Equal(64, invalid!.Status!.Partitions);
        var after = (await admin.GetAsync(KubeResources.StatefulSets, ns, "parts", ct))!;
        Assert.Equal(before.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
        Assert.Equal("64", AgentEnv(after).Single(e => e.Name == AgentEnvironment.Partitions).Value);

        await Clusters.PatchSpecAsync(admin, ns, "parts", new JsonObject { ["partitions"] = 64 });
        await Eventually.UntilAsync(async () => Clusters.Is(await Clusters.GetAsync(admin, ns, "parts"), ConditionTypes.Valid, ConditionStatuses.True),
            Converge.Timeout, "the cluster is valid again", () => fixture.OperatorLogTail);
    }

    [Fact]
    public async Task Changing_storage_is_ignored_with_a_warning_while_the_rest_of_the_spec_still_applies()
    {
        await fixture.RequireOperatorAsync();
        var ct = TestContext.Current.CancellationToken;
        var admin = fixture.Admin;
        var ns = await fixture.CreateNamespaceAsync("storage");
        await using var simulation = new Simulation(fixture, ns);
        await Clusters.CreateAsync(admin, Clusters.New(ns, "disk", s => s.Partitions = 64));
        await Converge.ReadyAsync(fixture, ns, "disk", 3);

        // Volume claim templates cannot change in a StatefulSet; the log level can.
        await Clusters.PatchSpecAsync(admin, ns, "disk", new JsonObject
        {
            ["storage"] = new JsonObject { ["size"] = "2Gi" },
            ["agent"] = new JsonObject { ["logLevel"] = "Debug" },
        });

        var noticed = await Eventually.MatchAsync(() => Clusters.GetAsync(admin, ns, "disk"), c => Clusters.Condition(c, ConditionTypes.Valid)?.Reason == "ChangesIgnored",
            Converge.Timeout, "the storage change is reported as ignored", () => fixture.OperatorLogTail);
        var valid = Clusters.Condition(noticed, ConditionTypes.Valid)!;
        Assert.Equal(ConditionStatuses.True, valid.Status);
        Assert.Contains("Set spec.storage back to size 1Gi", valid.Message, StringComparison.Ordinal);
        var statefulSet = await Eventually.MatchAsync(() => admin.GetAsync(KubeResources.StatefulSets, ns, "disk", ct),
            s => AgentEnv(s!).Single(e => e.Name == AgentEnvironment.LogLevel).Value == "Debug",
            Converge.Timeout, "the log level change reaches the StatefulSet", () => fixture.OperatorLogTail);
        Assert.Equal("1Gi", statefulSet!.Spec.VolumeClaimTemplates!.Single().Spec.Resources!.Requests!["storage"]);
        var warning = Assert.Single((await admin.ListAsync(KubeResources.Events, ns, cancellationToken: ct)).Items, e => e.InvolvedObject.Name == "disk" && e.Reason == "ChangeIgnored");
        Assert.Equal("Warning", warning.Type);
    }

    [Fact]
    public async Task A_variable_of_spec_agent_env_named_like_a_runtime_setting_of_the_operator_replaces_it_in_the_StatefulSet()
    {
        // The API server refuses a server-side apply whose container lists a name twice, so an
        // override that merely appended would leave the cluster without a StatefulSet.
        await fixture.RequireOperatorAsync();
        var ct = TestContext.Current.CancellationToken;
        var admin = fixture.Admin;
        var ns = await fixture.CreateNamespaceAsync("override");
        await using var simulation = new Simulation(fixture, ns);
        await Clusters.CreateAsync(admin, Clusters.New(ns, "tuned", s =>
        {
            s.Partitions = 64;
            s.Agent.Env = [new EnvVar { Name = AgentRuntimeEnvironment.Gen0Size, Value = "0x1000000" }];
        }));

        await Converge.ReadyAsync(fixture, ns, "tuned", 3);
        var env = AgentEnv((await admin.GetAsync(KubeResources.StatefulSets, ns, "tuned", ct))!);
        Assert.Equal("0x1000000", Assert.Single(env, e => e.Name == AgentRuntimeEnvironment.Gen0Size).Value);
    }

    [Fact]
    public async Task A_pod_template_the_API_server_refuses_is_reported_in_its_words_and_never_reaches_the_StatefulSet()
    {
        // Kubernetes 1.20 stores a StatefulSet whatever its pod spec says; members made from such
        // a template would fail to be created, with the reason only in the StatefulSet's Events.
        await fixture.RequireOperatorAsync();
        var ct = TestContext.Current.CancellationToken;
        var admin = fixture.Admin;
        var ns = await fixture.CreateNamespaceAsync("template");
        await using var simulation = new Simulation(fixture, ns);
        await Clusters.CreateAsync(admin, Clusters.New(ns, "fresh", s => s.Template = AppTemplate("""{"name":"App_1","image":"busybox"}""")));
        await Clusters.CreateAsync(admin, Clusters.New(ns, "running", s => s.Partitions = 64));

        var fresh = await Eventually.MatchAsync(() => Clusters.GetAsync(admin, ns, "fresh"), c => Clusters.Is(c, ConditionTypes.Valid, ConditionStatuses.False),
            Converge.Timeout, "the refused template of a new cluster is reported", () => fixture.OperatorLogTail);
        var refused = Clusters.Condition(fresh, ConditionTypes.Valid)!;
        TestContext.Current.TestOutputHelper?.WriteLine(refused.Message ?? "");
        Assert.Equal("InvalidSpec", refused.Reason);
        Assert.Contains("\"App_1\"", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Fix spec.template", refused.Message, StringComparison.Ordinal);
        Assert.Null(await admin.GetAsync(KubeResources.StatefulSets, ns, "fresh", ct));
        Assert.Single((await admin.ListAsync(KubeResources.Events, ns, cancellationToken: ct)).Items, e => e.InvolvedObject.Name == "fresh" && e.Reason == "InvalidSpec");

        // A running cluster keeps its pods' template while the new one mounts a volume the pod lacks.
        await Converge.ReadyAsync(fixture, ns, "running", 3);
        var before = (await admin.GetAsync(KubeResources.StatefulSets, ns, "running", ct))!;
        await Clusters.PatchSpecAsync(admin, ns, "running", new JsonObject
        {
            ["template"] = JsonNode.Parse("""{"spec":{"containers":[{"name":"app","image":"busybox","volumeMounts":[{"name":"missing","mountPath":"/missing"}]}]}}"""),
        });
        var running = await Eventually.MatchAsync(() => Clusters.GetAsync(admin, ns, "running"), c => Clusters.Is(c, ConditionTypes.Valid, ConditionStatuses.False),
            Converge.Timeout, "the refused template of a running cluster is reported", () => fixture.OperatorLogTail);
        Assert.Contains("missing", Clusters.Condition(running, ConditionTypes.Valid)!.Message, StringComparison.Ordinal);
        var kept = (await admin.GetAsync(KubeResources.StatefulSets, ns, "running", ct))!;
        Assert.Equal(before.Metadata.ResourceVersion, kept.Metadata.ResourceVersion);
        Assert.DoesNotContain(kept.Spec.Template.Spec.Containers, c => c.Name == "app");

        // Fixed, the template goes through.
        await Clusters.PatchSpecAsync(admin, ns, "running", new JsonObject
        {
            ["template"] = JsonNode.Parse("""{"spec":{"containers":[{"name":"app","image":"busybox"}]}}"""),
        });
        await Eventually.MatchAsync(() => admin.GetAsync(KubeResources.StatefulSets, ns, "running", ct), s => s!.Spec.Template.Spec.Containers.Any(c => c.Name == "app"),
            Converge.Timeout, "the fixed template reaches the StatefulSet", () => fixture.OperatorLogTail);
        await Eventually.UntilAsync(async () => Clusters.Is(await Clusters.GetAsync(admin, ns, "running"), ConditionTypes.Valid, ConditionStatuses.True),
            Converge.Timeout, "the cluster is valid again", () => fixture.OperatorLogTail);
    }

    [Fact]
    public async Task Member_pods_a_LimitRange_refuses_are_reported_in_the_server_s_words_until_it_is_lifted()
    {
        // Admission answers 403, not 422: without the report the StatefulSet would be created and
        // its controller would fail to make members, saying why only in its Events.
        await fixture.RequireOperatorAsync();
        var ct = TestContext.Current.CancellationToken;
        var admin = fixture.Admin;
        var ns = await fixture.CreateNamespaceAsync("limits");
        var limitRanges = GenericResource.For("", "v1", "LimitRange", "limitranges", namespaced: true);
        // A container without resources would get the range's defaults, which fit it: the app's
        // own limit is what breaks the maximum.
        var range = new GenericObject { Metadata = new ObjectMeta { Name = "at-most-32mi", Namespace = ns } };
        range.SetNode("spec", JsonNode.Parse("""{"limits":[{"type":"Container","max":{"memory":"32Mi"}}]}"""));
        await admin.CreateAsync(limitRanges, range, ct);

        await Clusters.CreateAsync(admin, Clusters.New(ns, "limited", s => s.Template = AppTemplate("""{"name":"app","image":"busybox","resources":{"limits":{"memory":"64Mi"}}}""")));

        var limited = await Eventually.MatchAsync(() => Clusters.GetAsync(admin, ns, "limited"), c => Clusters.Is(c, ConditionTypes.Valid, ConditionStatuses.False),
            Converge.Timeout, "the refusal of the member pods is reported", () => fixture.OperatorLogTail);
        var refused = Clusters.Condition(limited, ConditionTypes.Valid)!;
        TestContext.Current.TestOutputHelper?.WriteLine(refused.Message ?? "");
        Assert.Equal("InvalidSpec", refused.Reason);
        Assert.Contains("maximum memory usage per Container is 32Mi, but limit is 64Mi", refused.Message, StringComparison.Ordinal);
        Assert.Contains("LimitRange", refused.Message, StringComparison.Ordinal);
        Assert.Null(await admin.GetAsync(KubeResources.StatefulSets, ns, "limited", ct));

        // The namespace's policy is lifted, the spec is unchanged: the cluster goes ahead.
        await admin.DeleteAsync(limitRanges, ns, "at-most-32mi", cancellationToken: ct);
        await Eventually.MatchAsync(() => admin.GetAsync(KubeResources.StatefulSets, ns, "limited", ct), s => s is not null,
            Converge.Timeout, "the StatefulSet is created once the LimitRange is gone", () => fixture.OperatorLogTail);
        await Eventually.UntilAsync(async () => Clusters.Is(await Clusters.GetAsync(admin, ns, "limited"), ConditionTypes.Valid, ConditionStatuses.True),
            Converge.Timeout, "the cluster is valid", () => fixture.OperatorLogTail);
    }

    private static PodTemplateSpec AppTemplate(string container) =>
        System.Text.Json.JsonSerializer.Deserialize(JsonNode.Parse($$$"""{"spec":{"containers":[{{{container}}}]}}""")!, Api.OperatorJsonContext.Default.PodTemplateSpec)!;
}
