using System.Text.Json;
using Xunit;

namespace DataCluster.Agent.Tests.BadInput;

/// <summary>
/// <c>GET /v1/partitions/{p}/events</c> and <c>GET /v1/keys/{key}/events</c> with a bad offset,
/// limit, partition or key: a 400 whose JSON names the parameter and what is accepted, and the
/// events stored before it all still read back.
/// </summary>
public sealed class ReadBadInputTests(StoredEventsFixture stored) : IClassFixture<StoredEventsFixture>
{
    private const string OffsetRule = "is not an offset: give a whole number from 0 (the events after it are returned), 'consumed' (the events the app has not consumed), or omit it to read from the start";
    private const string LimitRule = "is not valid: give a whole number from 1 to 1000";
    private const string PartitionRule = "is not a partition; partitions are numbered 0 to 7";

    private SingleMemberAgent Agent => stored.Agent;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string> BadReads => new()
    {
        { "/v1/partitions/0/events?after=-1", "invalid_offset", $"after '-1' {OffsetRule}" },
        { "/v1/partitions/0/events?after=abc", "invalid_offset", $"after 'abc' {OffsetRule}" },
        { "/v1/partitions/0/events?after=", "invalid_offset", $"after '' {OffsetRule}" },
        { "/v1/partitions/0/events?after=1.5", "invalid_offset", $"after '1.5' {OffsetRule}" },
        { "/v1/partitions/0/events?after=99999999999999999999", "invalid_offset", $"after '99999999999999999999' {OffsetRule}" },
        { "/v1/keys/server-1/events?after=-1", "invalid_offset", $"after '-1' {OffsetRule}" },
        { "/v1/partitions/0/events?after=Consumed", "invalid_offset", $"after 'Consumed' {OffsetRule}" },
        { "/v1/partitions/0/events?limit=0", "invalid_limit", $"limit '0' {LimitRule}" },
        { "/v1/partitions/0/events?limit=1001", "invalid_limit", $"limit '1001' {LimitRule}" },
        { "/v1/partitions/0/events?limit=-5", "invalid_limit", $"limit '-5' {LimitRule}" },
        { "/v1/partitions/0/events?limit=all", "invalid_limit", $"limit 'all' {LimitRule}" },
        { "/v1/keys/server-1/events?limit=0", "invalid_limit", $"limit '0' {LimitRule}" },
        { "/v1/partitions/-1/events", "invalid_partition", $"'-1' {PartitionRule}" },
        { "/v1/partitions/8/events", "invalid_partition", $"'8' {PartitionRule}" },
        { "/v1/partitions/2147483648/events", "invalid_partition", $"'2147483648' {PartitionRule}" },
        { "/v1/partitions/abc/events", "invalid_partition", $"'abc' {PartitionRule}" },
        { "/v1/partitions/%2B1/events", "invalid_partition", $"'+1' {PartitionRule}" },
        { $"/v1/keys/{new string('k', 1025)}/events", "invalid_key", "the key is longer than 1024 bytes of UTF-8" },
        { "/v1/keys//events", "invalid_key", "the key is empty; use /v1/keys/{key}/events with a non-empty, percent-encoded key of at most 1024 bytes of UTF-8" },
        { "/v1/keys/%FF/events", "invalid_key", "the key is not valid UTF-8 once percent-decoded" },
    };

    [Theory]
    [MemberData(nameof(BadReads))]
    public async Task A_bad_read_is_refused_with_400_naming_the_parameter_and_nothing_stored_is_lost(string target, string error, string message)
    {
        using var response = await Agent.Http.GetAsync(target, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.True((int)response.StatusCode == 400, $"GET {target}: expected 400, got {(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        Assert.Equal(error, json.RootElement.GetProperty("error").GetString());
        Assert.Equal(message, json.RootElement.GetProperty("message").GetString());
        await Agent.AssertStoredExactlyAsync(stored.Written);
    }

    [Fact]
    public async Task The_bounds_of_the_refused_reads_are_accepted()
    {
        // after=0, limit=1 and limit=1000, the last partition: each a 200, so the refusals above are exact.
        var partition = Agent.PartitionOf("server-1");
        var first = (await Agent.ReadPartitionAsync(partition))[0];
        foreach (var target in new[] { $"/v1/partitions/{partition}/events?after=0&limit=1", $"/v1/partitions/{partition}/events?limit=1000", $"/v1/partitions/{SingleMemberAgent.Partitions - 1}/events" })
        {
            using var response = await Agent.Http.GetAsync(target, Ct);
            Assert.True(response.IsSuccessStatusCode, $"GET {target}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        }

        using var page = await Agent.Http.GetAsync($"/v1/partitions/{partition}/events?after={first.Offset}&limit=1", Ct);
        using var json = JsonDocument.Parse(await page.Content.ReadAsStringAsync(Ct));
        var events = json.RootElement.GetProperty("events");
        Assert.Equal(1, events.GetArrayLength());
        Assert.True(events[0].GetProperty("offset").GetInt64() > first.Offset);
    }
}
