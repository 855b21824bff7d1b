using System.Net;
using System.Text.Json;
using DataCluster.Agent.Assignments;
using DataCluster.Agent.Tests.Support;
using DataCluster.Ring;
using DataCluster.LocalCluster;
using DataCluster.Testing.Telemetry;
using Xunit;
using static DataCluster.Agent.Tests.Support.Objects;

namespace DataCluster.Agent.Tests.Http;

public sealed class AgentApiTests : IAsyncLifetime
{
    private ApiHarness _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _api = await ApiHarness.StartAsync();

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    /// <summary>Publishes a 16-partition, factor-2 assignment over dc-0..dc-2 and a ring slice listing dc-0..dc-3 (dc-3 draining) or <paramref name="ringOrdinals"/>.</summary>
    private Assignment Load(long epoch = 5, int[]? ringOrdinals = null)
    {
        var members = new[] { 0, 1, 2 }.Select(o => new Member($"dc-{o}", o, $"zone-{o % 3}", "eu")).ToArray();
        var next = Assigner.Assign(null, members, new AssignmentSettings(16, 2));
        var assignment = Assignment.Create(epoch, 16, 2, next.ToReplicaLists());
        _api.Context.Ring.Update(RingSlice(9, ringOrdinals ?? [0, 1, 2, 3], (ordinal, endpoint) =>
        {
            endpoint.DeprecatedTopology = new Dictionary<string, string> { ["topology.kubernetes.io/region"] = "eu" };
            endpoint.Conditions!.Terminating = ordinal == 3;
        }));
        _api.Assignments.Observe(AssignmentDocument.Data(assignment, 9, "dc-1"));
        return assignment;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> GetAsync(string path)
    {
        var response = await _api.Http.GetAsync(path, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement, response);
    }

    [Theory]
    [InlineData("/v1/ring")]
    [InlineData("/v1/owners/server-42")]
    [InlineData("/v1/partitions/3/owners")]
    [InlineData("/v1/assignments")]
    public async Task Before_the_first_assignment_routing_answers_503_with_Retry_After(string path)
    {
        var (status, body, response) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("no_assignment", body.GetProperty("error").GetString());
        Assert.Contains("no partition assignment", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
    }

    [Fact]
    public async Task Readiness_needs_an_assignment_not_the_member_Lease_and_ends_when_stopping()
    {
        var (status, body, _) = await GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.False(body.GetProperty("ready").GetBoolean());
        Assert.Equal("no assignment loaded yet", body.GetProperty("reason").GetString());

        // An API-server outage stops Lease renewals on every member at once; readiness must not
        // follow, or every member would leave the client Service together.
        _api.Heartbeat.IsHeld = false;
        _api.Heartbeat.Problem = "renewing the member Lease failed: the API server does not answer";
        Load(epoch: 7);
        (status, body, _) = await GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("ready").GetBoolean());
        Assert.Equal(7, body.GetProperty("epoch").GetInt64());

        _api.Context.BeginStopping();
        (status, body, _) = await GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("the agent is stopping", body.GetProperty("reason").GetString());

        (status, body, _) = await GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_ring_lists_every_member_with_address_topology_state_and_counts()
    {
        var assignment = Load();

        var (status, body, _) = await GetAsync("/v1/ring");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(5, body.GetProperty("epoch").GetInt64());
        Assert.Equal(9, body.GetProperty("membershipEpoch").GetInt64());
        Assert.Equal(16, body.GetProperty("partitions").GetInt32());
        Assert.Equal(2, body.GetProperty("replicationFactor").GetInt32());
        Assert.Equal("dc-1", body.GetProperty("leader").GetString());
        var members = body.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(["dc-0", "dc-1", "dc-2", "dc-3"], members.Select(m => m.GetProperty("id").GetString()));
        var first = members[0];
        Assert.Equal(0, first.GetProperty("ordinal").GetInt32());
        Assert.Equal("10.0.0.10:8080", first.GetProperty("address").GetString());
        Assert.Equal("zone-0", first.GetProperty("zone").GetString());
        Assert.Equal("eu", first.GetProperty("region").GetString());
        Assert.Equal("active", first.GetProperty("state").GetString());
        Assert.Equal(assignment.ReplicaCountOf("dc-0"), first.GetProperty("replicas").GetInt32());
        Assert.Equal(assignment.LeaderCountOf("dc-0"), first.GetProperty("leads").GetInt32());
        Assert.Equal("draining", members[3].GetProperty("state").GetString());
        Assert.Equal(0, members[3].GetProperty("replicas").GetInt32());
        Assert.Equal(32, members.Sum(m => m.GetProperty("replicas").GetInt32()));
    }

    [Fact]
    public async Task A_ring_member_the_assignment_leaves_out_is_standby_and_one_missing_from_the_ring_is_absent()
    {
        // dc-4 is in the slice but holds nothing (joined, or its Lease lapsed); dc-2 holds replicas but left the slice.
        Load(ringOrdinals: [0, 1, 4]);

        var (status, body, _) = await GetAsync("/v1/ring");

        Assert.Equal(HttpStatusCode.OK, status);
        var states = body.GetProperty("members").EnumerateArray()
            .ToDictionary(m => m.GetProperty("id").GetString()!, m => m.GetProperty("state").GetString());
        Assert.Equal("active", states["dc-0"]);
        Assert.Equal("active", states["dc-1"]);
        Assert.Equal("absent", states["dc-2"]);
        Assert.Equal("standby", states["dc-4"]);
    }

    [Theory]
    [InlineData("server-42", "server-42")]
    [InlineData("a%20b", "a b")]
    [InlineData("tenant%2Fserver", "tenant/server")]
    [InlineData("tenant/server", "tenant/server")]
    [InlineData("caf%C3%A9", "café")]
    [InlineData("%F0%9F%98%80", "😀")]
    [InlineData("a+b", "a+b")]
    [InlineData("a%25b", "a%b")]
    public async Task Owners_of_a_key_are_its_partition_leader_and_replicas_with_addresses(string encoded, string key)
    {
        var assignment = Load();

        var (status, body, _) = await GetAsync("/v1/owners/" + encoded);

        Assert.Equal(HttpStatusCode.OK, status);
        var partition = KeyHash.PartitionOf(key, 16);
        Assert.Equal(key, body.GetProperty("key").GetString());
        Assert.Equal(partition, body.GetProperty("partition").GetInt32());
        Assert.Equal(5, body.GetProperty("epoch").GetInt64());
        var leader = assignment.LeaderOf(partition)!;
        Assert.Equal(leader, body.GetProperty("leader").GetProperty("id").GetString());
        Assert.Equal($"10.0.0.{int.Parse(leader[3..], System.Globalization.CultureInfo.InvariantCulture) + 10}:8080", body.GetProperty("leader").GetProperty("address").GetString());
        Assert.Equal(assignment.ReplicasOf(partition).ToArray(), body.GetProperty("replicas").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Owners_of_a_partition_match_the_assignment_and_bad_partition_numbers_are_400()
    {
        var assignment = Load();
        for (var p = 0; p < 16; p++)
        {
            var (status, body, _) = await GetAsync($"/v1/partitions/{p}/owners");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(p, body.GetProperty("partition").GetInt32());
            Assert.Equal(assignment.LeaderOf(p), body.GetProperty("leader").GetProperty("id").GetString());
            Assert.Equal(assignment.ReplicasOf(p).ToArray(), body.GetProperty("replicas").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        }

        foreach (var bad in new[] { "16", "-1", "abc", "1.5", "99999999999999999999999", "%D9%A1", "+1", "0x1", "%20" })
        {
            var (status, body, _) = await GetAsync($"/v1/partitions/{bad}/owners");
            Assert.True(status == HttpStatusCode.BadRequest, $"partition '{bad}' answered {status}");
            Assert.Equal("invalid_partition", body.GetProperty("error").GetString());
        }
    }

    [Theory]
    [InlineData("/v1/owners/", "empty")]
    [InlineData("/v1/owners/%", "percent-encoding")]
    [InlineData("/v1/owners/ab%zz", "percent-encoding")]
    [InlineData("/v1/owners/%C3", "not valid UTF-8")]
    [InlineData("/v1/owners/%ED%A0%80", "not valid UTF-8")]
    [InlineData("/v1/owners/%C0%AF", "not valid UTF-8")]
    [InlineData("/v1/owners/%FF%FE", "not valid UTF-8")]
    public async Task Bad_keys_are_400_with_a_message_saying_what_is_wrong(string target, string problem)
    {
        Load();

        var (status, body, _) = await _api.RawGetAsync(target);

        Assert.Equal(400, status);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("invalid_key", json.RootElement.GetProperty("error").GetString());
        Assert.Contains(problem, json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_may_be_1024_bytes_of_UTF_8_and_not_one_more()
    {
        Load();
        var longest = string.Concat(Enumerable.Repeat("%C3%A9", 512)); // 512 x 2 bytes

        Assert.Equal(200, (await _api.RawGetAsync("/v1/owners/" + longest)).Status);
        Assert.Equal(400, (await _api.RawGetAsync("/v1/owners/" + longest + "x")).Status);
        Assert.Equal(400, (await _api.RawGetAsync("/v1/owners/" + new string('k', 5000))).Status);
    }

    [Fact]
    public async Task Leader_and_assignments_describe_the_cluster_leader_and_what_this_agent_holds()
    {
        var assignment = Load();
        _api.Leadership.IsLeader = false;

        var (status, leader, _) = await GetAsync("/v1/leader");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("dc-1", leader.GetProperty("leader").GetString());
        Assert.Equal("dc-0", leader.GetProperty("self").GetString());
        Assert.False(leader.GetProperty("isLeader").GetBoolean());
        Assert.Equal(3, leader.GetProperty("leaseTransitions").GetInt32());

        var (status2, mine, _) = await GetAsync("/v1/assignments");
        Assert.Equal(HttpStatusCode.OK, status2);
        Assert.Equal("dc-0", mine.GetProperty("member").GetString());
        Assert.Equal(5, mine.GetProperty("epoch").GetInt64());
        var replicas = mine.GetProperty("replicas").EnumerateArray().Select(e => e.GetInt32()).ToList();
        var leads = mine.GetProperty("leads").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(0, 16).Where(p => assignment.ReplicasOf(p).Contains("dc-0")), replicas);
        Assert.Equal(Enumerable.Range(0, 16).Where(p => assignment.LeaderOf(p) == "dc-0"), leads);
    }

    [Fact]
    public async Task Unknown_routes_are_404_and_wrong_methods_405_both_in_JSON()
    {
        var (status, body, _) = await GetAsync("/v2/nothing");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("not_found", body.GetProperty("error").GetString());

        var (code, text, headers) = await _api.RawGetAsync("/v1/ring", "DELETE");
        Assert.Equal(405, code);
        Assert.Equal("method_not_allowed", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
        Assert.Contains("Allow: GET", headers, StringComparison.Ordinal);

        (code, text, _) = await _api.RawGetAsync("/v1/owners/a/b", "POST");
        Assert.Equal(405, code);
        (code, text, _) = await _api.RawGetAsync("/v2/nothing", "POST");
        Assert.Equal(404, code);
        Assert.Equal("not_found", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
    }

    private static readonly string[] DataPlaneFamilies =
    [
        "datacluster_agent_write_seconds", "datacluster_agent_writes_total", "datacluster_agent_replication_lag_records",
        "datacluster_agent_log_bytes", "datacluster_agent_partition_role", "datacluster_agent_delivery_lag_records",
        "datacluster_agent_deliveries_total", "datacluster_agent_delivery_seconds",
        "datacluster_agent_substitute_partitions", "datacluster_agent_substitute_records", "datacluster_agent_substitute_oldest_held_seconds",
        "datacluster_agent_substitutions_total", "datacluster_agent_substitute_releases_total",
    ];

    [Fact]
    public async Task Metrics_are_Prometheus_text_with_every_documented_family_and_the_request_counts()
    {
        Load();
        _api.Context.Metrics.LeaseRenewed(TimeSpan.FromMilliseconds(3));
        await _api.Http.GetAsync("/v1/ring", Ct);
        await _api.RawGetAsync("/v1/owners/%zz");

        var response = await _api.Http.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var families = PrometheusText.Parse(await response.Content.ReadAsStringAsync(Ct));

        // The peer transport's and the data plane's rows are checked where they run (Peers/AgentPeerPortTests).
        foreach (var documented in DocumentedMetrics.Read(Path.Combine(RepositoryLayout.Root(), "agent", "README.md"), "datacluster_agent_")
            .Where(d => !d.Name.StartsWith("datacluster_agent_peer_", StringComparison.Ordinal) && !DataPlaneFamilies.Contains(d.Name)))
        {
            Assert.True(families.TryGetValue(documented.Name, out var family), $"/metrics has no {documented.Name}; it has {string.Join(", ", families.Keys)}");
            Assert.Equal(documented.Type, family.Type);
            Assert.NotEmpty(family.Samples);
            Assert.All(family.Samples, sample => Assert.All(documented.Labels, label => Assert.NotNull(sample.Label(label))));
        }

        Assert.Equal(5, families["datacluster_agent_assignment_epoch"].Samples.Single().Value);
        Assert.Equal(3, families["datacluster_agent_members"].Samples.Single().Value);
        Assert.Equal(1, families["datacluster_agent_lease_renew_seconds"].Samples.Single(s => s.Name.EndsWith("_count", StringComparison.Ordinal)).Value);
        var requests = families["datacluster_agent_http_requests_total"].Samples;
        Assert.Equal(1, requests.Single(s => s.Label("route") == "/v1/ring" && s.Label("code") == "200").Value);
        Assert.Equal(1, requests.Single(s => s.Label("route") == "/v1/owners/{**key}" && s.Label("code") == "400").Value);
        Assert.Equal(
            ["configmaps", "endpointslices", "leases"],
            families["datacluster_agent_watch_restarts_total"].Samples.Select(s => s.Label("resource")!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Metrics_answer_GET_only()
    {
        var (status, text, headers) = await _api.RawGetAsync("/metrics", "POST");

        Assert.Equal(405, status);
        Assert.Equal("method_not_allowed", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
        Assert.Contains("Allow: GET", headers, StringComparison.Ordinal);
    }
}
