using System.Collections.Concurrent;
using System.Diagnostics;
using DataCluster.Kube.Client;
using DataCluster.Kube.Election;
using DataCluster.Kube.Tests.Support;
using DataCluster.Testing;
using DataCluster.Testing.Logging;
using static DataCluster.Kube.Tests.Integration.Api;

namespace DataCluster.Kube.Tests.Integration;

/// <summary>Runs alone: its bounds are about timing, and parallel tests would compete for the two cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timing: leader election";
}

[Collection(TimingCollection.Name)]
public sealed class LeaderElectionTests(ControlPlaneFixture fixture)
{
    // Short timings so the test runs in seconds; the ratios follow the defaults' reasoning.
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan RenewDeadline = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromMilliseconds(500);

    // Slack for request latency and timer resolution on a loaded two-core machine.
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(500);

    private sealed class Candidate(string identity, KubeClient client, LeaderElector elector) : IDisposable
    {
        public string Identity { get; } = identity;
        public KubeClient Client { get; } = client;
        public LeaderElector Elector { get; } = elector;
        public CancellationTokenSource Stop { get; } = new();
        public Task Running { get; set; } = Task.CompletedTask;
        public ConcurrentQueue<string> Seen { get; } = new();
        public int Started;
        public int Stopped;

        public void Dispose()
        {
            Stop.Dispose();
            Client.Dispose();
        }
    }

    [Fact]
    public async Task Three_electors_keep_one_leader_a_killed_leader_is_replaced_after_expiry_and_a_graceful_stop_hands_over_at_once()
    {
        var ns = await fixture.CreateNamespaceAsync("elect");
        var candidates = Enumerable.Range(0, 3).Select(i => Create(ns, $"elector-{i}")).ToList();
        try
        {
            foreach (var c in candidates)
            {
                c.Running = c.Elector.RunAsync(c.Stop.Token);
            }

            // Sample the leaders of all three throughout the test.
            var violations = 0;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    if (candidates.Count(c => c.Elector.IsLeader) > 1)
                    {
                        Interlocked.Increment(ref violations);
                    }

                    await Task.Delay(5, CancellationToken.None);
                }
            }, Ct);

            await Eventually.UntilAsync(() => candidates.Count(c => c.Elector.IsLeader) == 1, TimeSpan.FromSeconds(15), "one elector leads");
            var first = candidates.Single(c => c.Elector.IsLeader);

            // Kill the leader without a release: its requests fail from now on, as if its process died.
            var killed = Stopwatch.StartNew();
            first.Client.Dispose();
            var others = candidates.Where(c => c != first).ToList();
            await Eventually.UntilAsync(() => others.Any(c => c.Elector.IsLeader), LeaseDuration * 3, "another elector leads after the kill");
            var takeover = killed.Elapsed;
            Assert.False(first.Elector.IsLeader);
            Assert.True(takeover <= LeaseDuration + RetryPeriod + Margin, $"takeover after {takeover.TotalSeconds:0.00} s; expected within lease duration + retry period (+{Margin.TotalSeconds} s)");
            Assert.True(takeover >= LeaseDuration - RetryPeriod - Margin, $"takeover after {takeover.TotalSeconds:0.00} s, before the killed leader's lease could have expired");

            // Graceful stop: the leader releases and another takes over at its next attempt.
            var second = others.Single(c => c.Elector.IsLeader);
            var stopped = Stopwatch.StartNew();
            await second.Stop.CancelAsync();
            await second.Running.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            var third = others.Single(c => c != second);
            await Eventually.UntilAsync(() => third.Elector.IsLeader, LeaseDuration * 2, "the last elector leads after the graceful stop");
            var handover = stopped.Elapsed;
            Assert.True(handover <= RetryPeriod * 1.2 + Margin, $"handover after {handover.TotalSeconds:0.00} s; a released lease should be taken at the next retry");

            await sampling.CancelAsync();
            await sampler;
            Assert.Equal(0, violations);

            using var admin = Admin(fixture);
            var lease = (await admin.GetAsync(KubeResources.Leases, ns, "leader", Ct))!;
            Assert.Equal(third.Identity, lease.Spec.HolderIdentity);
            Assert.Equal(2, lease.Spec.LeaseTransitions); // first -> second, released -> third
            Assert.Equal((int)LeaseDuration.TotalSeconds, lease.Spec.LeaseDurationSeconds);
            Assert.Equal(first.Identity, third.Seen.First());
            Assert.Equal(third.Identity, third.Seen.Last()); // the second may have led too briefly for it to notice
            Assert.Equal([first.Identity, second.Identity], second.Seen.ToArray());
            Assert.Equal((1, 1), (second.Started, second.Stopped));
            Assert.Equal(third.Identity, third.Elector.CurrentLeader);
        }
        finally
        {
            foreach (var c in candidates)
            {
                await c.Stop.CancelAsync();
            }

            await Task.WhenAll(candidates.Select(c => c.Running)).WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
            candidates.ForEach(c => c.Dispose());
        }
    }

    private Candidate Create(string ns, string identity)
    {
        var client = Admin(fixture);
        Candidate? candidate = null;
        var elector = new LeaderElector(client, new LeaderElectionOptions
        {
            LeaseNamespace = ns,
            LeaseName = "leader",
            Identity = identity,
            LeaseDuration = LeaseDuration,
            RenewDeadline = RenewDeadline,
            RetryPeriod = RetryPeriod,
        }, TestLogger.For(identity))
        {
            OnNewLeader = leader => candidate!.Seen.Enqueue(leader),
            OnStartedLeading = async token =>
            {
                Interlocked.Increment(ref candidate!.Started);
                await Task.Delay(Timeout.Infinite, token);
            },
            OnStoppedLeading = () => Interlocked.Increment(ref candidate!.Stopped),
        };
        candidate = new Candidate(identity, client, elector);
        return candidate;
    }
}
