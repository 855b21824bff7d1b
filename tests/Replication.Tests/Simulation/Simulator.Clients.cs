namespace DataCluster.Replication.Tests.Simulation;

/// <summary>The simulated clients: plain writes, idempotent producers that retry, and liveness probes.</summary>
internal sealed partial class Simulator
{
    private readonly Client[] _clients;
    private readonly Dictionary<(string Member, int Incarnation, long Ticket), Write> _pending = [];
    private long _nextWriteId;
    private int _writes;

    private void Writes()
    {
        if (_random.Next(100) < _settings.WritePercent)
        {
            var client = _clients[_random.Next(_clients.Length)];
            if (_random.Next(3) == 0)
            {
                if (!client.ProducerInFlight)
                {
                    // One write in flight per producer; a failed one is retried with the same sequence.
                    client.ProducerWrite ??= NewWrite(client.Partition, RandomLevel(), client.Producer, ++client.Sequence, probe: false);
                    client.ProducerInFlight = Submit(client, client.ProducerWrite, target: null);
                }
            }
            else
            {
                Submit(client, NewWrite(client.Partition, RandomLevel(), null, -1, probe: false), target: null);
            }
        }

        if (_quiet && _now >= _quietSince + ProbeAfterMs)
        {
            foreach (var client in _clients)
            {
                if (!client.ProbeAcknowledged && _now >= client.NextProbeAt)
                {
                    client.NextProbeAt = _now + 50;
                    Submit(client, NewWrite(client.Partition, CommitLevel.Quorum, null, -1, probe: true), _ring.Current.LeaderOf(client.Partition));
                }
            }
        }
    }

    /// <summary>
    /// The apps: now and then a leading member's app consumes up to a random committed offset.
    /// Their own random stream, so that a seed's schedule of faults and writes stays as it was.
    /// </summary>
    private void Consumes()
    {
        _apps ??= new Random(_settings.Seed ^ 0x0A99);
        foreach (var member in _members)
        {
            if (member.Node is not { } node || _apps.Next(100) >= 5)
            {
                continue;
            }

            for (var p = 0; p < _settings.Partitions; p++)
            {
                if (node.DeliveryPosition(p) is { } position && position.CommitOffset > position.ConsumedOffset)
                {
                    var offset = position.ConsumedOffset + 1 + _apps.NextInt64(position.CommitOffset - position.ConsumedOffset);
                    Guard(member, () => node.Consume(p, offset, position.Term));
                    Process(member);
                }
            }
        }
    }

    private Random? _apps;

    private CommitLevel RandomLevel() => _random.Next(10) switch
    {
        < 2 => CommitLevel.One,
        < 8 => CommitLevel.Quorum,
        _ => CommitLevel.All,
    };

    private Write NewWrite(int partition, CommitLevel level, string? producer, long sequence, bool probe)
    {
        var id = ++_nextWriteId;
        return new Write(id, partition, level, BitConverter.GetBytes(id), producer, sequence, probe);
    }

    /// <summary>Sends a write to the member the client believes leads; true when accepted.</summary>
    private bool Submit(Client client, Write write, string? target)
    {
        target ??= client.Leader ?? _ring.Current.LeaderOf(client.Partition);
        if (target is null || Up(target) is not { } member)
        {
            client.Leader = null;
            return false;
        }

        _writes++;
        var result = Guard(member, () => member.Node!.Propose(write.Partition, "key"u8.ToArray(), null, write.Body, write.Level, write.Producer, write.Sequence));
        if (result.IsAccepted)
        {
            _pending[(member.Id, member.Incarnation, result.Ticket)] = write;
            Log($"write #{write.Id} p{write.Partition} {write.Level}{(write.Producer is null ? "" : $" seq {write.Sequence}")} -> {member.Id} accepted at {result.Offset}{(result.Duplicate ? " (retry of a known sequence)" : "")}");
        }
        else
        {
            client.Leader = result.Status == ProposeStatus.NotLeader ? result.Leader : null;
            if (write.Probe)
            {
                Log($"probe p{write.Partition} -> {member.Id} refused: {result.Status}");
            }
        }

        Process(member);
        return result.IsAccepted;
    }

    private void Completed(SimMember member, Completion completion)
    {
        if (!_pending.Remove((member.Id, member.Incarnation, completion.Ticket), out var write))
        {
            return;
        }

        var term = member.Node!.GetStatus(completion.Partition)!.Term;
        _checker.Completed(member, completion, term, write.Body);
        Log($"write #{write.Id} p{write.Partition} {completion.Level} at {completion.Offset} by {member.Id}: {completion.Outcome}");
        var client = _clients[write.Partition];
        if (write.Producer is not null)
        {
            client.ProducerInFlight = false;
            if (completion.Outcome == ProposalOutcome.Acknowledged)
            {
                client.ProducerWrite = null;
            }
        }

        if (write.Probe && completion.Outcome == ProposalOutcome.Acknowledged)
        {
            client.ProbeAcknowledged = true;
        }
    }

    /// <summary>A member crashed: its clients lose their connections (a producer will retry).</summary>
    private void Forget(SimMember member)
    {
        foreach (var key in _pending.Keys.Where(k => k.Member == member.Id).ToList())
        {
            if (_pending.Remove(key, out var write) && write.Producer is not null)
            {
                _clients[write.Partition].ProducerInFlight = false;
            }
        }
    }

    private void CheckLiveness()
    {
        foreach (var client in _clients)
        {
            if (!client.ProbeAcknowledged)
            {
                var leader = _ring.Current.LeaderOf(client.Partition);
                var status = leader is null ? null : Up(leader)?.Node?.GetStatus(client.Partition);
                throw new InvariantViolation(
                    $"(liveness) partition {client.Partition}: no QUORUM write acknowledged within {QuietMs} ms after the faults stopped; " +
                    $"designated leader {leader} is {status?.Role.ToString() ?? "unknown"} in term {status?.Term}");
            }
        }
    }

    private sealed record Write(long Id, int Partition, CommitLevel Level, byte[] Body, string? Producer, long Sequence, bool Probe);

    private sealed class Client(int partition)
    {
        public int Partition { get; } = partition;

        public string? Leader { get; set; }

        public string Producer { get; } = $"producer-{partition}";

        public long Sequence { get; set; }

        public Write? ProducerWrite { get; set; }

        public bool ProducerInFlight { get; set; }

        public bool ProbeAcknowledged { get; set; }

        public long NextProbeAt { get; set; }
    }
}
