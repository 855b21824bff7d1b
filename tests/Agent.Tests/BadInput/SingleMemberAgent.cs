using System.Net;
using System.Text;
using System.Text.Json;
using DataCluster.Agent.Assignments;
using DataCluster.Agent.Tests.Peers;
using DataCluster.Agent.Tests.Support;
using DataCluster.Kube.Config;
using DataCluster.Ring;
using DataCluster.Testing;
using DataCluster.Testing.Logging;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DataCluster.Agent.Tests.BadInput;

/// <summary>One stored event as a client reads it back.</summary>
internal sealed record StoredEvent(long Offset, string Key, string Body);

/// <summary>
/// The whole agent host (<see cref="AgentHost.Build"/>, both ports, its data plane on a
/// temporary directory) as the only member of its cluster: it leads every partition of a
/// one-replica assignment the test loads directly (its API server does not answer). It can be
/// stopped and started again on the same directory, as a restarted pod.
/// </summary>
internal sealed class SingleMemberAgent : IAsyncDisposable
{
    public const int Partitions = 8;

    /// <summary>Small, so a body over the limit is cheap to send.</summary>
    public const int MaxEventBytes = 1024;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly bool _ownsDirectory;
    private bool _stopped;

    private SingleMemberAgent(string directory, bool ownsDirectory, AgentApp app, TestLogger log)
    {
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        App = app;
        Log = log;
        Http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = app.Address };
    }

    /// <summary>Holds the peer token file and the data directory.</summary>
    public string Directory { get; }

    public string DataDirectory => Path.Combine(Directory, "data");

    public AgentApp App { get; }

    public TestLogger Log { get; }

    public HttpClient Http { get; }

    public Uri PeerAddress => App.PeerAddress!;

    public DataCluster.Agent.DataPlane.DataPlane Data => App.Node.Context.Data!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Starts the agent on a new directory, or on <paramref name="directory"/> of a stopped one.</summary>
    /// <param name="directory">The directory of a stopped agent to start again on; null for a new one.</param>
    /// <param name="deliveryUrl">The app's delivery URL (<c>DATACLUSTER_APP_DELIVERY_URL</c>); null when the app pulls.</param>
    public static async Task<SingleMemberAgent> StartAsync(string? directory = null, Uri? deliveryUrl = null)
    {
        var owns = directory is null;
        directory ??= System.IO.Directory.CreateTempSubdirectory("agent-bad-input-").FullName;
        var tokenFile = Path.Combine(directory, "token");
        await File.WriteAllTextAsync(tokenFile, PeerHost.Token.Value + "\n", Ct);
        var options = ApiHarness.Options(Partitions) with
        {
            ClientPort = 0,
            PeerPort = 0,
            PeerTokenFile = tokenFile,
            DataDirectory = Path.Combine(directory, "data"),
            MaxEventBytes = MaxEventBytes,
            AppDeliveryUrl = deliveryUrl,
        };
        var log = new TestLogger("dc-0 ");
        var app = AgentHost.Build(options, new AgentHostSettings
        {
            // Nothing listens on the discard port: the control plane retries in the background.
            Kube = new KubeConfig { Server = new Uri("http://127.0.0.1:9") },
            Logging = logging => logging.AddProvider(log),
            PeerAddresses = _ => null,
        });
        await app.Web.StartAsync(Ct);
        var members = new[] { new Member("dc-0", 0, "zone-a", "region-a") };
        app.Node.Context.Assignments.Observe(AssignmentDocument.Data(Assigner.Assign(null, members, new AssignmentSettings(Partitions, 1)), 1, "dc-0"));
        return new SingleMemberAgent(directory, owns, app, log);
    }

    public int PartitionOf(string key) => App.Node.Context.Assignments.Current!.Lookup.PartitionOf(key);

    /// <summary>Writes an event, retrying while the partition's leader is still syncing (503); returns its offset.</summary>
    public async Task<long> WriteAsync(string key, string body)
    {
        var response = await Eventually.MatchAsync(
            async () =>
            {
                using var content = new StringContent(body, Encoding.UTF8, "text/plain");
                using var answer = await Http.PostAsync($"/v1/keys/{Uri.EscapeDataString(key)}/events", content, Ct);
                return (answer.StatusCode, Text: await answer.Content.ReadAsStringAsync(Ct));
            },
            r => r.StatusCode != HttpStatusCode.ServiceUnavailable,
            Deadline,
            $"a write of key {key} is answered other than 503");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"writing {key}: {(int)response.StatusCode} {response.Text}");
        using var json = JsonDocument.Parse(response.Text);
        return json.RootElement.GetProperty("offset").GetInt64();
    }

    /// <summary>Writes <paramref name="count"/> events spread over keys and partitions; returns them as stored.</summary>
    public async Task<List<StoredEvent>> WriteSomeAsync(int count, string prefix = "before")
    {
        var written = new List<StoredEvent>();
        for (var i = 0; i < count; i++)
        {
            var key = $"server-{i % 5}";
            var body = $"{prefix}-{i}";
            written.Add(new StoredEvent(await WriteAsync(key, body), key, body));
        }

        return written;
    }

    /// <summary>The last answer read from each partition, quoted when what was stored differs from what was expected.</summary>
    public Dictionary<int, string> LastPages { get; } = [];

    /// <summary>Every committed event of every partition, in partition then offset order.</summary>
    public async Task<List<StoredEvent>> ReadAllAsync()
    {
        var all = new List<StoredEvent>();
        for (var p = 0; p < Partitions; p++)
        {
            all.AddRange(await ReadPartitionAsync(p));
        }

        return all;
    }

    /// <summary>Every committed event of one partition, following <c>nextAfter</c> to the end.</summary>
    public async Task<List<StoredEvent>> ReadPartitionAsync(int partition)
    {
        var events = new List<StoredEvent>();
        var after = -1L;
        while (true)
        {
            // Omitting after reads from the start; offsets given are 0 or more.
            var from = after < 0 ? "" : $"after={after}&";
            using var response = await Http.GetAsync($"/v1/partitions/{partition}/events?{from}limit=1000", Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"reading partition {partition}: {(int)response.StatusCode} {text}");
            using var json = JsonDocument.Parse(text);
            var page = json.RootElement.GetProperty("events").EnumerateArray()
                .Select(e => new StoredEvent(e.GetProperty("offset").GetInt64(), e.GetProperty("key").GetString()!, Encoding.UTF8.GetString(e.GetProperty("body").GetBytesFromBase64())))
                .ToList();
            events.AddRange(page);
            LastPages[partition] = text;
            var next = json.RootElement.GetProperty("nextAfter").GetInt64();
            if (page.Count == 0 || next == after)
            {
                return events;
            }

            after = next;
        }
    }

    /// <summary>Asserts that the committed events are exactly <paramref name="written"/>: each with its offset, key and body, nothing more.</summary>
    public async Task AssertStoredExactlyAsync(IReadOnlyCollection<StoredEvent> written)
    {
        var stored = await ReadAllAsync();
        var expected = written.OrderBy(e => PartitionOf(e.Key)).ThenBy(e => e.Offset).ToList();
        Assert.True(expected.SequenceEqual(stored),
            $"stored events differ.\nexpected: {string.Join(", ", expected)}\nstored: {string.Join(", ", stored)}\nlast answers:\n{string.Join("\n", LastPages.Select(p => $"{p.Key}: {p.Value}"))}");
    }

    /// <summary>Stops the agent as a pod stop would (its logs flushed and closed); the directory stays.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Http.Dispose();
        await App.Web.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownsDirectory)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
