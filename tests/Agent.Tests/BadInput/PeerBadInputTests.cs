using System.Net;
using System.Text;
using DataCluster.Agent.Peers;
using DataCluster.Agent.Tests.Peers;
using DataCluster.Replication.Messages;
using DataCluster.Storage;
using DataCluster.Testing.Telemetry;
using DataCluster.Testing;
using Xunit;
using W = DataCluster.Agent.Peers.Wire;

namespace DataCluster.Agent.Tests.BadInput;

/// <summary>
/// Requests to the agent's peer port without the cluster's token or with another one carry a
/// forged leader's append for a partition the agent holds: each is refused (401), counted by reason, logged, and the partition's log is unchanged.
/// </summary>
public sealed class PeerBadInputTests : IAsyncLifetime
{
    private SingleMemberAgent _agent = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _agent = await SingleMemberAgent.StartAsync();

    public ValueTask DisposeAsync() => _agent.DisposeAsync();

    [Fact]
    public async Task Peer_requests_without_the_token_or_with_a_wrong_one_are_refused_counted_logged_and_change_no_log()
    {
        var written = await _agent.WriteSomeAsync(6);
        var partition = _agent.PartitionOf(written[0].Key);
        var last = written.Where(e => _agent.PartitionOf(e.Key) == partition).Max(e => e.Offset);
        // A leader of a much later term, appending over this member's log: obeyed, it would end
        // this member's leadership and replace its records.
        var forged = PeerCodec.Encode("dc-1", new PeerMessage(
        [
            new Append(partition, 1_000, last, 1_000, [new LogRecord(last + 1, 1_000, RecordKind.Data, 0, Encoding.UTF8.GetBytes(written[0].Key), null, "forged"u8.ToArray())], last + 2, ResetStart: 0),
        ]));

        using var missing = await PeerWire.StreamAsync(_agent.PeerAddress, null, "dc-0", forged);
        using var wrong = await PeerWire.StreamAsync(_agent.PeerAddress, "Bearer not-the-cluster-token", "dc-0", forged);

        // A member of another cluster, with that cluster's token, sending as members do: it is
        // refused on every attempt.
        var directory = new PeerDirectory();
        directory.Set("dc-0", _agent.PeerAddress);
        await using (var stranger = await PeerHost.StartAsync("dc-1", directory, token: PeerToken.FromValue("another-clusters-token")))
        {
            stranger.Send("dc-0", forged.Items.Select(PeerCodec.Decode).ToArray());
            await Eventually.UntilAsync(
                () => stranger.Metrics.StreamFailures.Value("dc-0") >= 2,
                TimeSpan.FromSeconds(30),
                "the stranger's sender is refused and retries");
            Assert.Contains(stranger.Log.Lines, l => l.EventId == 16001 && l.Message.Contains("401", StringComparison.Ordinal));
        }

        Assert.All([missing, wrong], r =>
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal("Bearer", r.Headers.WwwAuthenticate.ToString());
        });
        var wrongTokens = _agent.App.Peers.Metrics.Rejected.Value(RejectReasons.WrongToken);
        Assert.Equal(1, _agent.App.Peers.Metrics.Rejected.Value(RejectReasons.MissingToken));
        Assert.True(wrongTokens >= 3, $"{wrongTokens} wrong tokens counted");
        var metrics = PrometheusText.Parse(await _agent.Http.GetStringAsync("/metrics", Ct));
        var rejected = metrics["datacluster_agent_peer_rejected_total"].Samples;
        Assert.Equal(1, rejected.Single(s => s.Label("reason") == RejectReasons.MissingToken).Value);
        Assert.Equal(wrongTokens, rejected.Single(s => s.Label("reason") == RejectReasons.WrongToken).Value);
        var refusals = _agent.Log.Lines.Where(l => l.EventId == 16008 && l.Category.EndsWith("Agent.Peers", StringComparison.Ordinal)).ToList();
        Assert.Equal(1 + wrongTokens, refusals.Count);
        Assert.Equal(1, refusals.Count(l => l.Message.Contains("no bearer token", StringComparison.Ordinal)));
        Assert.Equal(wrongTokens, refusals.Count(l => l.Message.Contains("a wrong bearer token", StringComparison.Ordinal)));
        Assert.Equal(0, _agent.App.Peers.Metrics.ItemsReceived.Value("dc-1"));

        // This member still leads, and its log goes on right after its last record.
        var next = await _agent.WriteAsync(written[0].Key, "after");
        Assert.Equal(last + 1, next);
        written.Add(new StoredEvent(next, written[0].Key, "after"));
        await _agent.AssertStoredExactlyAsync(written);
    }
}
