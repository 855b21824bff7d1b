using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DataCluster.Client.Wire;
using DataCluster.Contracts;

namespace DataCluster.Client.Http;

/// <summary>
/// Sends one request to one agent and classifies what came back. Never throws for what the
/// network or the agent does (that is in the answer); only the caller's cancellation escapes.
/// Thread-safe.
/// </summary>
internal sealed class AgentHttp(IHttpClientFactory factory, string clientName, TimeProvider time)
{
    public HttpClient Client() => factory.CreateClient(clientName);

    public TimeProvider Time => time;

    /// <summary>The URL of a member's client API from its ring address (<c>host:port</c>), with the base address's scheme.</summary>
    public static Uri MemberUri(Uri baseAddress, string authority) => new($"{baseAddress.Scheme}://{authority}/");

    public async Task<AgentAnswer<T>> SendAsync<T>(Func<HttpRequestMessage> build, JsonTypeInfo<T> type, TimeSpan timeout, CancellationToken cancellationToken)
        where T : class
    {
        using var limit = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            using var request = build();
            using var response = await Client().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var value = JsonSerializer.Deserialize(bytes, type)
                    ?? throw new JsonException("the agent answered 200 with an empty body");
                return new AgentAnswer<T>(status, value, null, null, null, null, null, null);
            }

            var error = TryError(bytes);
            var (leaderId, leaderAddress) = Leader(response.Headers, error);
            return new AgentAnswer<T>(status, null, error?.Error, error?.Message ?? Shorten(bytes), RetryAfter(response.Headers.RetryAfter, time), leaderId, leaderAddress, null);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed<T>(new TimeoutException($"no answer within {timeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms", e));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
        {
            return Failed<T>(e);
        }
    }

    private static AgentAnswer<T> Failed<T>(Exception e)
        where T : class => new(0, null, null, null, null, null, null, e);

    private static ErrorBody? TryError(byte[] bytes)
    {
        try
        {
            return bytes.Length == 0 ? null : JsonSerializer.Deserialize(bytes, WireJsonContext.Default.ErrorBody);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Shorten(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return null;
        }

        var text = System.Text.Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 200));
        return text;
    }

    /// <summary>The leader a 421 names: the body's leader, else the <c>DataCluster-Leader: ID HOST:PORT</c> header.</summary>
    private static (string? Id, string? Address) Leader(HttpResponseHeaders headers, ErrorBody? error)
    {
        if (error?.Leader is { } leader)
        {
            return (leader.Id, leader.Address);
        }

        if (headers.TryGetValues(AgentHeaders.Leader, out var values) && values.FirstOrDefault() is { } header)
        {
            var parts = header.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return parts.Length switch
            {
                2 => (parts[0], parts[1]),
                1 => (parts[0], null),
                _ => (null, null),
            };
        }

        return (null, null);
    }

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, TimeProvider time) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };
}
