using System.Collections.Concurrent;
using DataCluster.Client;

namespace DataCluster.Samples.EntityAffinity;

/// <summary>What one server's key holds after the run.</summary>
/// <param name="Server">The server's key.</param>
/// <param name="Acknowledged">The offsets the writes of DOWN and UP were acknowledged at, in write order.</param>
/// <param name="Read">The key's events as read back: offset and state, in read order.</param>
public sealed record ServerHistory(string Server, IReadOnlyList<long> Acknowledged, IReadOnlyList<(long Offset, string State)> Read)
{
    /// <summary>The state of the last event read, or null when none was.</summary>
    public string? FinalState => Read.Count == 0 ? null : Read[^1].State;

    /// <summary>True when the acknowledged events are read back, in the order they were acknowledged.</summary>
    public bool InAcknowledgedOrder
    {
        get
        {
            var offsets = Read.Select(e => e.Offset).ToList();
            var positions = Acknowledged.Select(o => offsets.IndexOf(o)).ToList();
            return positions.All(p => p >= 0) && positions.SequenceEqual(positions.Order());
        }
    }
}

/// <summary>The outcome of a run.</summary>
public sealed record ServerStatesReport(IReadOnlyList<ServerHistory> Servers)
{
    public bool AllUpInOrder => Servers.All(s => s.FinalState == ServerStates.Up && s.InAcknowledgedOrder);
}

/// <summary>
/// Entity affinity in one program: every event about a server goes to its key's partition and is
/// stored in the order it was acknowledged, so DOWN followed by UP ends UP for every server, however
/// the servers spread over the partitions and their leaders.
/// </summary>
public static class ServerStates
{
    public const string Down = "DOWN";
    public const string Up = "UP";

    /// <summary>Writes DOWN then UP for <paramref name="servers"/> servers, reads every key back and prints each final state.</summary>
    public static async Task<ServerStatesReport> RunAsync(IDataClusterClient client, int servers, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(output);
        var keys = Enumerable.Range(0, servers).Select(i => $"server-{i:D3}").ToList();
        var acknowledged = new ConcurrentDictionary<string, long[]>();

        // Servers are written in parallel; each server's two events one after the other.
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (key, ct) =>
        {
            var down = await client.WriteAsync(key, Down, cancellationToken: ct);
            var up = await client.WriteAsync(key, Up, cancellationToken: ct);
            acknowledged[key] = [down.Offset, up.Offset];
        });

        var histories = new List<ServerHistory>();
        foreach (var key in keys)
        {
            var read = new List<(long, string)>();
            await foreach (var e in client.ReadKeyAsync(key, cancellationToken: cancellationToken))
            {
                read.Add((e.Offset, e.BodyText));
            }

            var history = new ServerHistory(key, acknowledged[key], read);
            histories.Add(history);
            await output.WriteLineAsync(
                $"{key} {history.FinalState ?? "(nothing read)"} partition {await client.PartitionOfAsync(key, cancellationToken)} acknowledged at {string.Join(",", history.Acknowledged)} read {string.Join(",", read.Select(r => $"{r.Item2}@{r.Item1}"))}{(history.InAcknowledgedOrder ? "" : " OUT OF ORDER")}");
        }

        var report = new ServerStatesReport(histories);
        var up = histories.Count(h => h.FinalState == Up);
        await output.WriteLineAsync($"{up} of {servers} servers UP; {histories.Count(h => h.InAcknowledgedOrder)} of {servers} keys read back in acknowledged order.");
        return report;
    }
}
