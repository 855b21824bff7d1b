using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DataCluster.Contracts;
using Xunit;

namespace DataCluster.Agent.Tests.BadInput;

/// <summary>One agent with events already stored, shared by the tests of a class: bad requests must leave those events exactly as they are.</summary>
public sealed class StoredEventsFixture : IAsyncLifetime
{
    internal SingleMemberAgent Agent { get; private set; } = null!;

    internal List<StoredEvent> Written { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Agent = await SingleMemberAgent.StartAsync();
        Written = await Agent.WriteSomeAsync(12);
    }

    public async ValueTask DisposeAsync() => await Agent.DisposeAsync();
}

/// <summary>
/// <c>POST /v1/keys/{key}/events</c> with bad input: each is a 4xx whose JSON names the field and
/// what is accepted, nothing is appended for it, and every event stored before it still reads back.
/// </summary>
public sealed class WriteBadInputTests(StoredEventsFixture stored) : IClassFixture<StoredEventsFixture>
{
    private static readonly string OverLongKey = new('k', 1025);

    // 342 three-byte characters: 1026 bytes of UTF-8, though only 342 characters.
    private static readonly string OverLongUtf8Key = new('€', 342);

    private SingleMemberAgent Agent => stored.Agent;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, int, string, string> BadWrites => new()
    {
        { "key over 1024 bytes", $"/v1/keys/{OverLongKey}/events", 400, "invalid_key", "the key is longer than 1024 bytes of UTF-8" },
        { "key over 1024 bytes of UTF-8", $"/v1/keys/{Uri.EscapeDataString(OverLongUtf8Key)}/events", 400, "invalid_key", "the key is longer than 1024 bytes of UTF-8" },
        { "key that is not UTF-8", "/v1/keys/%C0%80/events", 400, "invalid_key", "not valid UTF-8" },
        { "unknown commitLevel", "/v1/keys/k/events?commitLevel=Strong", 400, "invalid_commit_level", "commitLevel 'Strong' is not known: use One, Quorum or All" },
        { "numeric commitLevel", "/v1/keys/k/events?commitLevel=2", 400, "invalid_commit_level", "commitLevel '2' is not known: use One, Quorum or All" },
        { "empty commitLevel", "/v1/keys/k/events?commitLevel=", 400, "invalid_commit_level", "commitLevel '' is not known: use One, Quorum or All" },
        { "commitLevel weaker than the cluster's", "/v1/keys/k/events?commitLevel=one", 400, "invalid_commit_level", "commitLevel One is weaker than the cluster's Quorum; a request may only raise it" },
    };

    [Theory]
    [MemberData(nameof(BadWrites))]
    public async Task A_bad_write_is_refused_with_a_4xx_naming_the_field_and_nothing_stored_is_lost(string what, string target, int status, string error, string message)
    {
        using var content = new StringContent($"not stored: {what}", Encoding.UTF8, "text/plain");
        using var response = await Agent.Http.PostAsync(target, content, Ct);

        await AssertRefusedAsync(response, status, error, message);
        await Agent.AssertStoredExactlyAsync(stored.Written);
    }

    [Fact]
    public async Task An_empty_key_is_refused_with_400_naming_the_key()
    {
        using var content = new StringContent("not stored", Encoding.UTF8, "text/plain");
        using var response = await Agent.Http.PostAsync("/v1/keys//events", content, Ct);

        await AssertRefusedAsync(response, 400, "invalid_key", "the key is empty");
        await Agent.AssertStoredExactlyAsync(stored.Written);
    }

    public static TheoryData<string, string?, string?, string> BadProducers => new()
    {
        { "a producer id without a sequence", "producer-a", null, "DataCluster-Producer-Id and DataCluster-Sequence go together" },
        { "a sequence without a producer id", null, "7", "DataCluster-Producer-Id and DataCluster-Sequence go together" },
        { "an empty producer id", "", "7", "DataCluster-Producer-Id must be 1 to 128 printable ASCII characters without spaces" },
        { "a producer id with a space", "producer a", "7", "DataCluster-Producer-Id must be 1 to 128 printable ASCII characters without spaces" },
        { "a producer id over 128 characters", new string('p', 129), "7", "DataCluster-Producer-Id must be 1 to 128 printable ASCII characters without spaces" },
        { "a negative sequence", "producer-a", "-1", "DataCluster-Sequence '-1' is not a whole number from 0" },
        { "a non-numeric sequence", "producer-a", "seven", "DataCluster-Sequence 'seven' is not a whole number from 0" },
        { "a sequence past the largest number", "producer-a", "99999999999999999999", "DataCluster-Sequence '99999999999999999999' is not a whole number from 0" },
    };

    [Theory]
    [MemberData(nameof(BadProducers))]
    public async Task Malformed_producer_headers_are_refused_with_400_naming_the_header(string what, string? producer, string? sequence, string message)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/keys/k/events") { Content = new StringContent($"not stored: {what}", Encoding.UTF8, "text/plain") };
        if (producer is not null)
        {
            request.Headers.TryAddWithoutValidation(AgentHeaders.ProducerId, producer);
        }

        if (sequence is not null)
        {
            request.Headers.TryAddWithoutValidation(AgentHeaders.Sequence, sequence);
        }

        using var response = await Agent.Http.SendAsync(request, Ct);

        await AssertRefusedAsync(response, 400, "invalid_producer", message);
        await Agent.AssertStoredExactlyAsync(stored.Written);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_limit_is_refused_with_413_naming_the_limit_with_or_without_a_Content_Length(bool withLength)
    {
        var body = new byte[SingleMemberAgent.MaxEventBytes + 1];
        Array.Fill(body, (byte)'x');
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/keys/k/events") { Content = content };
        // Chunked, the request has no Content-Length: the agent finds out only by reading.
        request.Headers.TransferEncodingChunked = !withLength;

        using var response = await Agent.Http.SendAsync(request, Ct);

        await AssertRefusedAsync(response, 413, "too_large", $"the event body is over {SingleMemberAgent.MaxEventBytes} bytes, the limit set by {AgentEnvironment.MaxEventBytes}");
        await Agent.AssertStoredExactlyAsync(stored.Written);
    }

    [Fact]
    public async Task A_body_of_exactly_the_limit_and_a_key_of_exactly_1024_bytes_are_accepted()
    {
        // The boundaries of the refusals above: one byte less is a valid write.
        var key = new string('b', 1024);
        var body = new string('y', SingleMemberAgent.MaxEventBytes);

        var offset = await Agent.WriteAsync(key, body);

        stored.Written.Add(new StoredEvent(offset, key, body));
        await Agent.AssertStoredExactlyAsync(stored.Written);
    }

    [Fact]
    public async Task A_write_is_answered_in_one_piece_with_its_content_length_not_in_chunks()
    {
        var key = "whole-answer";
        using var content = new StringContent("x", Encoding.UTF8, "text/plain");
        using var response = await Agent.Http.PostAsync($"/v1/keys/{key}/events", content, Ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
        AssertWhole(response, bytes);
        using var json = JsonDocument.Parse(bytes);
        stored.Written.Add(new StoredEvent(json.RootElement.GetProperty("offset").GetInt64(), key, "x"));
        await Agent.AssertStoredExactlyAsync(stored.Written);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, int status, string error, string message)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        var text = Encoding.UTF8.GetString(bytes);
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        AssertWhole(response, bytes);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(error, json.RootElement.GetProperty("error").GetString());
        Assert.Contains(message, json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The answer said how long it is (no chunked transfer-encoding), and was that long.</summary>
    private static void AssertWhole(HttpResponseMessage response, byte[] bytes)
    {
        Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
    }
}
