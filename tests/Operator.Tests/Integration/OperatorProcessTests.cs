using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Errors;
using DataCluster.LocalCluster;
using DataCluster.Testing;
using DataCluster.Testing.Telemetry;
using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>The operator process: leader election between two replicas, exit on lost leadership, metrics and probes.</summary>
[Collection(OperatorCollection.Name)]
public sealed class OperatorProcessTests(OperatorFixture fixture)
{
    [Fact]
    public async Task A_second_replica_stands_by_ready_and_takes_over_when_the_leader_stops()
    {
        await fixture.RequireOperatorAsync();
        var leader = fixture.Operator!;
        // Once it leads, the standby is the collection's replica: the fixture disposes it, not this test.
        var standby = await fixture.StartOperatorAsync($"standby-{Guid.NewGuid().ToString("N")[..6]}", waitForLeadership: false);
        await using var ownedUntilAdopted = new DisposeUnlessAdopted(fixture, standby);

        // Standing by: ready (so it is not restarted) but not leading, and says so on /metrics.
        await Eventually.UntilAsync(async () => (await standby.GetAsync(standby.HealthUri("/readyz"))).Body.Contains("standing by", StringComparison.Ordinal),
            Converge.Timeout, "the standby reports ready while standing by", () => fixture.OperatorLogTail);
        Assert.False(standby.State.Leading);
        Assert.Equal(0, PrometheusText.Parse((await standby.GetAsync(standby.MetricsUri)).Body)["datacluster_operator_leader"].Samples.Single().Value);
        Assert.Equal(200, (await standby.GetAsync(standby.HealthUri("/healthz"))).Status);

        // Probes and metrics are served on their own addresses only.
        Assert.Equal(404, (await leader.GetAsync(new Uri($"http://{leader.Options.HealthProbeBindAddress}/metrics"))).Status);
        Assert.Equal(404, (await leader.GetAsync(new Uri($"http://{leader.Options.MetricsBindAddress}/readyz"))).Status);

        // A graceful stop releases the Lease; the standby takes over and reconciles.
        await leader.StopAsync();
        await Eventually.UntilAsync(() => standby.IsLeadingWithSyncedCaches, Converge.Timeout, "the standby leads", () => fixture.OperatorLogTail);
        fixture.Adopt(standby);
        var ns = await fixture.CreateNamespaceAsync("failover");
        await using (var simulation = new Simulation(fixture, ns))
        {
            await Clusters.CreateAsync(fixture.Admin, Clusters.New(ns, "failover"));
            await Converge.ReadyAsync(fixture, ns, "failover", 3);
        }

        // The new leader's metrics: every documented family with its type and labels.
        var (status, text) = await standby.GetAsync(standby.MetricsUri);
        Assert.Equal(200, status);
        var families = PrometheusText.Parse(text);
        foreach (var documented in DocumentedMetrics.Read(Path.Combine(RepositoryLayout.Root(), "docs", "operator.md"), "datacluster_operator_"))
        {
            Assert.True(families.TryGetValue(documented.Name, out var family), $"/metrics has no {documented.Name}; it has {string.Join(", ", families.Keys)}");
            Assert.Equal(documented.Type, family.Type);
            Assert.NotEmpty(family.Samples);
            Assert.All(family.Samples, sample => Assert.All(documented.Labels, label => Assert.NotNull(sample.Label(label))));
        }

        Assert.Equal(1, families["datacluster_operator_leader"].Samples.Single().Value);
        // A Ready cluster's reconcile ends by asking to look again when the next member Lease
        // could expire, so its reconciles count as requeues; together with successes they count
        // every reconcile that did not fail.
        var reconciles = families["datacluster_operator_reconcile_total"].Samples;
        Assert.True(reconciles.Where(s => s.Label("result") is "success" or "requeue").Sum(s => s.Value) > 0, $"no reconcile finished: {string.Join(", ", reconciles.Select(s => $"{s.Label("result")}={s.Value}"))}");
        Assert.True(families["datacluster_operator_api_writes_total"].Samples.Single(s => s.Label("verb") == "apply" && s.Label("resource") == "statefulsets").Value > 0);
        Assert.True(families["datacluster_operator_reconcile_duration_seconds"].Samples.Single(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal) && s.Label("le") == "0.1").Value >= 0);

        await leader.DisposeAsync();

        // Hand the role back to a fresh replica so the collection goes on as before.
        await fixture.RestartOperatorAsync($"operator-{Guid.NewGuid().ToString("N")[..6]}");
    }

    [Fact]
    public async Task A_replica_that_loses_its_Lease_stops_so_that_it_restarts_clean()
    {
        await fixture.RequireOperatorAsync();
        var ct = TestContext.Current.CancellationToken;
        var leader = fixture.Operator!;

        // Another holder takes the Lease over (as after a partition in which the Lease expired).
        var lease = (await fixture.Admin.GetAsync(KubeResources.Leases, fixture.OperatorNamespace, OperatorEnvironment.LeaderElectionLeaseName, ct))!;
        while (true)
        {
            lease.Spec.HolderIdentity = "intruder";
            lease.Spec.RenewTime = DateTimeOffset.UtcNow;
            lease.Spec.AcquireTime = DateTimeOffset.UtcNow;
            try
            {
                await fixture.Admin.UpdateAsync(KubeResources.Leases, lease, ct);
                break;
            }
            catch (ConflictException)
            {
                lease = (await fixture.Admin.GetAsync(KubeResources.Leases, fixture.OperatorNamespace, OperatorEnvironment.LeaderElectionLeaseName, ct))!;
            }
        }

        await Eventually.UntilAsync(() => leader.State.LostLeadership, Converge.Timeout, "the replica notices it lost the Lease", () => fixture.OperatorLogTail);
        Assert.False(leader.State.Leading);
        // It asks its host to stop (the process's run loop then exits with code 1).
        var lifetime = (Microsoft.Extensions.Hosting.IHostApplicationLifetime)leader.Services.GetService(typeof(Microsoft.Extensions.Hosting.IHostApplicationLifetime))!;
        await Eventually.UntilAsync(() => lifetime.ApplicationStopping.IsCancellationRequested, Converge.Timeout, "the replica stops its host", () => fixture.OperatorLogTail);

        // A fresh replica takes over once the intruder's Lease expires.
        await fixture.RestartOperatorAsync($"operator-{Guid.NewGuid().ToString("N")[..6]}");
        Assert.True(fixture.Operator!.IsLeadingWithSyncedCaches);
    }

    [Fact]
    public async Task A_replica_a_test_left_stopped_is_replaced_before_the_next_test_uses_it()
    {
        await fixture.RequireOperatorAsync();
        var left = fixture.Operator!;
        await left.StopAsync();

        await fixture.RequireOperatorAsync();

        Assert.NotSame(left, fixture.Operator);
        Assert.True(fixture.Operator!.IsLeadingWithSyncedCaches);
        await left.DisposeAsync();
    }

    [Fact]
    public async Task The_real_process_logs_JSON_lines_serves_its_probes_and_exits_cleanly_on_SIGTERM()
    {
        await fixture.RequireOperatorAsync();
        var ct = TestContext.Current.CancellationToken;
        var ns = await fixture.CreateNamespaceAsync("process");
        var executable = Path.Combine(AppContext.BaseDirectory, "datacluster-operator");
        var health = $"127.0.0.1:{FreePort.OnLoopback()}";
        var start = new System.Diagnostics.ProcessStartInfo(executable,
        [
            "run", "--kubeconfig", fixture.Plane.WriteKubeconfig("operator", ns), "--namespaces", ns, "--leader-elect=false",
            "--metrics-bind-address", $"127.0.0.1:{FreePort.OnLoopback()}", "--health-probe-bind-address", health, "--agent-image", OperatorFixture.AgentImage,
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var process = System.Diagnostics.Process.Start(start)!;
        try
        {
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { Length: > 0 } line)
                {
                    lines.Enqueue(line);
                }
            };
            process.BeginOutputReadLine();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.UntilAsync(async () => (await http.GetAsync(new Uri($"http://{health}/readyz"), ct)).IsSuccessStatusCode,
                Converge.Timeout, "the process reports ready", () => string.Join('\n', lines));

            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(ct);
            }

            var errors = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}: {await errors}\n{string.Join('\n', lines.TakeLast(5))}");
            process.WaitForExit(); // flushes the redirected output
            Assert.NotEmpty(lines);
            foreach (var line in lines)
            {
                using var json = System.Text.Json.JsonDocument.Parse(line);
                Assert.True(json.RootElement.TryGetProperty("LogLevel", out _) && json.RootElement.TryGetProperty("Message", out _), line);
            }

            Assert.Contains(lines, l => l.Contains("Caches synced", StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task The_real_process_exits_with_2_and_one_line_for_an_invalid_flag()
    {
        var start = new System.Diagnostics.ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "datacluster-operator"), ["--log-level=loud"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, process.ExitCode);
        Assert.Equal("datacluster-operator: --log-level is 'loud': use Trace, Debug, Information, Warning, Error, Critical", error.TrimEnd());
    }


    /// <summary>Disposes a replica a test started unless the fixture adopted it as the collection's replica.</summary>
    private sealed class DisposeUnlessAdopted(OperatorFixture fixture, OperatorInstance instance) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ReferenceEquals(fixture.Operator, instance) ? ValueTask.CompletedTask : instance.DisposeAsync();
    }
}
