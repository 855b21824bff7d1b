using System.Collections.Concurrent;
using DataCluster.Ring;

namespace DataCluster.Client.Tests.Support;

/// <summary>
/// A scripted cluster: agents on their own loopback ports that answer the agent API from one
/// shared picture (partition count, each partition's leader, the partitions' logs). Tests change
/// the picture, script answers per agent, and read what every agent was sent.
/// </summary>
internal sealed class FakeCluster : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, FakeAgent> _leaders = [];
    private readonly Dictionary<int, List<StoredEvent>> _logs = [];
    private readonly Dictionary<(string Producer, long Sequence), StoredEvent> _producers = [];
    private readonly Dictionary<int, long> _consumed = [];

    private FakeCluster(int partitions) => Partitions = partitions;

    public int Partitions { get; }

    public long Epoch { get; private set; } = 1;

    public IReadOnlyList<FakeAgent> Agents { get; private set; } = [];

    /// <summary>When true, a member that does not lead the partition answers a read asking for a redirect with 421, as the agent does for a member holding no copy.</summary>
    public bool ReadsAtLeaderOnly { get; set; }

    /// <summary>Records a key read examines at most, as the agent bounds a key read's work.</summary>
    public int KeyScanLimit { get; set; } = int.MaxValue;

    /// <summary>Starts <paramref name="agents"/> agents; partition p is led by agent p mod the count.</summary>
    public static async Task<FakeCluster> StartAsync(int agents = 3, int partitions = 16)
    {
        var cluster = new FakeCluster(partitions);
        var started = new List<FakeAgent>();
        for (var i = 0; i < agents; i++)
        {
            started.Add(await FakeAgent.StartAsync(cluster, $"dc-{i}"));
        }

        cluster.Agents = started;
        for (var p = 0; p < partitions; p++)
        {
            cluster._leaders[p] = started[p % agents];
        }

        return cluster;
    }

    public FakeAgent this[int index] => Agents[index];

    public static int PartitionOf(string key, int partitions) => KeyHash.PartitionOf(key, partitions);

    public int PartitionOf(string key) => KeyHash.PartitionOf(key, Partitions);

    public FakeAgent? LeaderOf(int partition)
    {
        lock (_gate)
        {
            return _leaders.GetValueOrDefault(partition);
        }
    }

    public IReadOnlyList<int> LedBy(FakeAgent agent)
    {
        lock (_gate)
        {
            return [.. _leaders.Where(l => l.Value == agent).Select(l => l.Key).Order()];
        }
    }

    /// <summary>
    /// Moves the leadership of <paramref name="partition"/> in a new epoch and, when
    /// <paramref name="announce"/>, tells both agents' stream subscribers.
    /// </summary>
    public void MoveLeader(int partition, FakeAgent to, bool announce = true)
    {
        FakeAgent? from;
        long epoch;
        lock (_gate)
        {
            from = _leaders.GetValueOrDefault(partition);
            _leaders[partition] = to;
            epoch = ++Epoch;
        }

        if (announce)
        {
            from?.Publish("leader-lost", epoch, [partition]);
            to.Publish("leader-gained", epoch, [partition]);
        }
    }

    /// <summary>The partition's consumed offset, shared by every agent as the replicated offset is.</summary>
    public long Consumed(int partition)
    {
        lock (_gate)
        {
            return _consumed.GetValueOrDefault(partition);
        }
    }

    /// <summary>Sets the consumed offset, as an earlier consumer's commits would have.</summary>
    public void SetConsumed(int partition, long offset)
    {
        lock (_gate)
        {
            _consumed[partition] = offset;
        }
    }

    /// <summary>The consume rule: only forward and never beyond the commit point; returns the recorded offset, or null when beyond.</summary>
    public long? Consume(int partition, long offset)
    {
        lock (_gate)
        {
            var commit = _logs.GetValueOrDefault(partition)?.Count ?? 0;
            if (offset > commit)
            {
                return null;
            }

            var consumed = Math.Max(_consumed.GetValueOrDefault(partition), offset);
            _consumed[partition] = consumed;
            return consumed;
        }
    }

    /// <summary>Appends an event to a partition's log (a write another client made); returns its offset.</summary>
    public long Append(int partition, string key, string body)
    {
        lock (_gate)
        {
            return AppendLocked(partition, key, System.Text.Encoding.UTF8.GetBytes(body), "text/plain").Offset;
        }
    }

    /// <summary>Stores a write once per producer sequence, as the agent's idempotent producers do.</summary>
    public (StoredEvent Event, bool Duplicate) Write(int partition, string key, byte[] body, string? contentType, string? producer, long sequence)
    {
        lock (_gate)
        {
            if (producer is not null && _producers.TryGetValue((producer, sequence), out var earlier))
            {
                return (earlier, true);
            }

            var stored = AppendLocked(partition, key, body, contentType);
            if (producer is not null)
            {
                _producers[(producer, sequence)] = stored;
            }

            return (stored, false);
        }
    }

    public IReadOnlyList<StoredEvent> Log(int partition)
    {
        lock (_gate)
        {
            return [.. _logs.GetValueOrDefault(partition) ?? []];
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in Agents)
        {
            await agent.DisposeAsync();
        }
    }

    private StoredEvent AppendLocked(int partition, string key, byte[] body, string? contentType)
    {
        if (!_logs.TryGetValue(partition, out var log))
        {
            _logs[partition] = log = [];
        }

        var stored = new StoredEvent(partition, log.Count, Epoch, key, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), contentType, body);
        log.Add(stored);
        return stored;
    }
}

internal sealed record StoredEvent(int Partition, long Offset, long Epoch, string Key, long Timestamp, string? ContentType, byte[] Body);

/// <summary>One request an agent received.</summary>
internal sealed record Received(string Agent, string Method, string PathAndQuery, string? ProducerId, long? Sequence, bool Redirect, TimeSpan At);

/// <summary>Every agent's requests in arrival order.</summary>
internal sealed class RequestLog
{
    private readonly ConcurrentQueue<Received> _all = new();

    public void Add(Received received) => _all.Enqueue(received);

    public IReadOnlyList<Received> All => [.. _all];

    public IReadOnlyList<Received> Writes => [.. _all.Where(r => r.Method == "POST" && !r.PathAndQuery.EndsWith("/consumed", StringComparison.Ordinal))];

    /// <summary>Consumed-offset commits (<c>POST /v1/partitions/{p}/consumed</c>).</summary>
    public IReadOnlyList<Received> Commits => [.. _all.Where(r => r.Method == "POST" && r.PathAndQuery.EndsWith("/consumed", StringComparison.Ordinal))];
}
