using System.Net;
using System.Text;
using System.Text.Json;
using Xunit;

namespace DataCluster.Agent.Tests.BadInput;

/// <summary>
/// <c>POST /v1/partitions/{p}/consumed</c>: bad bodies, partitions and offsets are a 400 (413
/// for an oversized body) that says what to send, never a 500, and change nothing; a good commit
/// moves the consumed offset that <c>after=consumed</c> reads from and <c>/v1/assignments</c> shows.
/// </summary>
public sealed class ConsumedBadInputTests(StoredEventsFixture stored) : IClassFixture<StoredEventsFixture>
{
    private const string BodyRule = "the body must be JSON {\"offset\": N} with N a whole number from 0: every event of the partition below N was consumed (the last event's offset plus one)";

    private SingleMemberAgent Agent => stored.Agent;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, int, string, string> BadCommits => new()
    {
        { "not JSON", "0", 400, "invalid_offset", "offset" },
        { "empty body", "0", 400, "invalid_offset", "" },
        { "no offset", "0", 400, "invalid_offset", "{}" },
        { "negative offset", "0", 400, "invalid_offset", "{\"offset\": -1}" },
        { "offset as text", "0", 400, "invalid_offset", "{\"offset\": \"5\"}" },
        { "fractional offset", "0", 400, "invalid_offset", "{\"offset\": 1.5}" },
        { "offset beyond a long", "0", 400, "invalid_offset", "{\"offset\": 99999999999999999999}" },
        { "an array", "0", 400, "invalid_offset", "[1]" },
        { "null offset", "0", 400, "invalid_offset", "{\"offset\": null}" },
        { "partition out of range", "8", 400, "invalid_partition", "{\"offset\": 1}" },
        { "partition not a number", "x", 400, "invalid_partition", "{\"offset\": 1}" },
        { "negative partition", "-1", 400, "invalid_partition", "{\"offset\": 1}" },
        { "offset beyond the commit point", "0", 400, "offset_beyond_commit", "{\"offset\": 1000000}" },
        { "oversized body", "0", 413, "too_large", "{\"offset\": 1, \"pad\": \"" + new string('x', 2000) + "\"}" },
    };

    [Theory]
    [MemberData(nameof(BadCommits))]
    public async Task A_bad_commit_is_refused_with_a_clear_error_and_changes_nothing(string what, string partition, int status, string error, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Agent.Http.PostAsync($"/v1/partitions/{partition}/consumed", content, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.True((int)response.StatusCode == status, $"{what}: expected {status}, got {(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        Assert.Equal(error, json.RootElement.GetProperty("error").GetString());
        if (error == "invalid_offset")
        {
            Assert.Equal(BodyRule, json.RootElement.GetProperty("message").GetString());
        }

        Assert.All(Agent.Data.Statuses, s => Assert.Equal(0, s.ConsumedOffset));
        await Agent.AssertStoredExactlyAsync(stored.Written);
    }

    [Fact]
    public async Task A_commit_moves_the_consumed_offset_an_older_one_is_a_no_op_and_reads_after_consumed_start_there()
    {
        await using var agent = await SingleMemberAgent.StartAsync();
        var written = await agent.WriteSomeAsync(10);
        var partition = agent.PartitionOf(written[0].Key);
        var events = written.Where(e => agent.PartitionOf(e.Key) == partition).OrderBy(e => e.Offset).ToList();
        Assert.True(events.Count >= 2, "the keys spread over partitions; the first key's has at least two events");

        var first = await CommitAsync(agent, partition, events[0].Offset + 1);
        var older = await CommitAsync(agent, partition, events[0].Offset);
        using var read = await agent.Http.GetAsync($"/v1/partitions/{partition}/events?after=consumed", Ct);
        using var readJson = JsonDocument.Parse(await read.Content.ReadAsStringAsync(Ct));
        var assignments = await Eventually(agent, partition, events[0].Offset + 1);

        Assert.Equal((HttpStatusCode.OK, true, events[0].Offset + 1), first);
        Assert.Equal((HttpStatusCode.OK, false, events[0].Offset + 1), older);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(events.Skip(1).Select(e => e.Offset), readJson.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("offset").GetInt64()));
        Assert.Equal(events[0].Offset + 1, readJson.RootElement.GetProperty("consumedOffset").GetInt64());
        Assert.Equal(assignments.GetProperty("commitOffset").GetInt64() - (events[0].Offset + 1), assignments.GetProperty("lag").GetInt64());
    }

    private static async Task<(HttpStatusCode Status, bool Advanced, long Consumed)> CommitAsync(SingleMemberAgent agent, int partition, long offset)
    {
        using var content = new StringContent($"{{\"offset\": {offset}}}", Encoding.UTF8, "application/json");
        using var response = await agent.Http.PostAsync($"/v1/partitions/{partition}/consumed", content, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"commit {offset}: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        return (response.StatusCode, json.RootElement.GetProperty("advanced").GetBoolean(), json.RootElement.GetProperty("consumedOffset").GetInt64());
    }

    /// <summary>The partition's entry of /v1/assignments once it shows the consumed offset (statuses refresh every 100 ms).</summary>
    private static async Task<JsonElement> Eventually(SingleMemberAgent agent, int partition, long consumed)
    {
        JsonElement entry = default;
        await DataCluster.Testing.Eventually.UntilAsync(async () =>
        {
            var text = await agent.Http.GetStringAsync("/v1/assignments", Ct);
            entry = JsonDocument.Parse(text).RootElement.GetProperty("partitions").EnumerateArray().First(p => p.GetProperty("partition").GetInt32() == partition).Clone();
            return entry.GetProperty("consumedOffset").GetInt64() == consumed;
        }, TimeSpan.FromSeconds(10), $"/v1/assignments shows partition {partition} consumed up to {consumed}", () => entry.ToString());
        return entry;
    }
}
