using DataCluster.Agent.Assignments;
using DataCluster.Agent.Tests.Support;
using DataCluster.Ring;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Agent.Tests.Http;

public sealed class AssignmentStreamTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Data(long epoch, params string[] lists) => AssignmentDocument.Data(
        Assignment.Create(epoch, 4, 2, [.. lists.Select(l => (IReadOnlyList<string>)[.. l.Split('.', StringSplitOptions.RemoveEmptyEntries).Select(o => $"dc-{o}")])]),
        1,
        "dc-1");

    /// <summary>Reads lines until <paramref name="count"/> events (blank-line terminated blocks other than comments) arrived.</summary>
    private static async Task<List<string>> ReadEventsAsync(StreamReader reader, int count, List<string> comments)
    {
        var events = new List<string>();
        var block = new List<string>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Hang);
        while (events.Count < count)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("the stream ended");
            if (line.StartsWith(':'))
            {
                comments.Add(line);
            }
            else if (line.Length == 0)
            {
                if (block.Count > 0)
                {
                    events.Add(string.Join("\n", block));
                    block.Clear();
                }
            }
            else
            {
                block.Add(line);
            }
        }

        return events;
    }

    [Fact]
    public async Task A_subscriber_gets_the_current_state_then_changes_in_order_with_epoch_ids_and_keep_alives()
    {
        await using var api = await ApiHarness.StartAsync(partitions: 4, keepAlive: TimeSpan.FromMilliseconds(100));
        api.Assignments.Observe(Data(3, "0.1", "1.0", "1.2", "2.1"));

        using var response = await api.Http.GetAsync("/v1/assignments/watch", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        var comments = new List<string>();

        var initial = await ReadEventsAsync(reader, 2, comments);
        Assert.Equal(
            [
                "id: 3\nevent: assigned\ndata: {\"epoch\":3,\"partitions\":[0,1]}",
                "id: 3\nevent: leader-gained\ndata: {\"epoch\":3,\"partitions\":[0]}",
            ],
            initial);

        await Eventually.UntilAsync(() => api.Assignments.SubscriberCount == 1, Hang, "the stream subscribed");
        api.Assignments.Observe(Data(4, "1.0", "2.1", "0.1", "2.1"));
        var changes = await ReadEventsAsync(reader, 4, comments);
        Assert.Equal(
            [
                "id: 4\nevent: leader-lost\ndata: {\"epoch\":4,\"partitions\":[0]}",
                "id: 4\nevent: revoked\ndata: {\"epoch\":4,\"partitions\":[1]}",
                "id: 4\nevent: assigned\ndata: {\"epoch\":4,\"partitions\":[2]}",
                "id: 4\nevent: leader-gained\ndata: {\"epoch\":4,\"partitions\":[2]}",
            ],
            changes);

        // Idle: only keep-alive comments flow.
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        idle.CancelAfter(Hang);
        while (!comments.Contains(": keep-alive"))
        {
            var line = await reader.ReadLineAsync(idle.Token);
            Assert.True(line is not null && (line.Length == 0 || line.StartsWith(':')), $"unexpected line while idle: {line}");
            if (line.StartsWith(':'))
            {
                comments.Add(line);
            }
        }
    }

    [Fact]
    public async Task Before_the_first_assignment_the_stream_waits_and_then_delivers_it_from_scratch()
    {
        await using var api = await ApiHarness.StartAsync(partitions: 4);
        using var response = await api.Http.GetAsync("/v1/assignments/watch", HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        Assert.Equal(": no assignment loaded yet; events follow once one is", await reader.ReadLineAsync(Ct));

        await Eventually.UntilAsync(() => api.Assignments.SubscriberCount == 1, Hang, "the stream subscribed");
        api.Assignments.Observe(Data(1, "0.1", "1.0", "2.1", "1.2"));

        var events = await ReadEventsAsync(reader, 2, []);
        Assert.Equal("id: 1\nevent: assigned\ndata: {\"epoch\":1,\"partitions\":[0,1]}", events[0]);
        Assert.Equal("id: 1\nevent: leader-gained\ndata: {\"epoch\":1,\"partitions\":[0]}", events[1]);
    }
}
