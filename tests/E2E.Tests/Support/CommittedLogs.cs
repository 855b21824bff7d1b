using DataCluster.LocalCluster;
using DataCluster.Ring;
using DataCluster.Testing;
using DataCluster.Testing.Checking;
using Xunit;

namespace DataCluster.E2E.Tests.Support;

/// <summary>
/// Reads every partition's committed events from every replica the published assignment names,
/// once the replicas agree on the commit point, and hands them to a <see cref="WriteChecker"/>.
/// </summary>
internal static class CommittedLogs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Waits until every replica of every partition answers with the same commit offset, then checks <paramref name="checker"/>'s history against those copies.</summary>
    public static async Task<CheckResult> CheckAsync(TestCluster dc, WriteChecker checker)
    {
        using var client = new AgentEventsClient();
        var assignment = await dc.AssignmentAsync() ?? throw new InvalidOperationException("No assignment is published.");
        string lagging = "";
        var logs = await Eventually.UntilAsync(
            async () =>
            {
                var copies = new Dictionary<int, IReadOnlyDictionary<string, IReadOnlyList<ReadEvent>>>();
                for (var p = 0; p < assignment.Partitions; p++)
                {
                    var replicas = assignment.ReplicasOf(p).ToArray();
                    var pages = await Task.WhenAll(replicas.Select(r => client.ReadAllAsync(dc.AddressOf(r), p, Ct)));
                    if (pages.Any(page => page is null) || pages.Select(page => page!.CommitOffset).Distinct().Count() > 1)
                    {
                        lagging = $"partition {p}: " + string.Join(", ", replicas.Zip(pages, (r, page) => $"{r} commit {page?.CommitOffset.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unreadable"}"));
                        return null;
                    }

                    copies[p] = replicas.Zip(pages).ToDictionary(
                        x => x.First,
                        x => (IReadOnlyList<ReadEvent>)[.. x.Second!.Events.Select(e => new ReadEvent(e.Offset, e.Epoch, e.Key, System.Text.Encoding.UTF8.GetString(e.Body)))],
                        StringComparer.Ordinal);
                }

                return copies;
            },
            TestCluster.Patience,
            "every replica of every partition serves its copy up to the same commit point",
            () => lagging + "\n" + dc.Diagnostics());
        return checker.Check(logs, key => KeyHash.PartitionOf(key, assignment.Partitions));
    }
}
