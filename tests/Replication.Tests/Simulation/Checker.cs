using DataCluster.Storage;

namespace DataCluster.Replication.Tests.Simulation;

/// <summary>An invariant did not hold.</summary>
internal sealed class InvariantViolation(string message) : Exception(message);

/// <summary>
/// The simulator's invariants, checked after every step of every member:
/// <list type="number">
/// <item>a QUORUM or ALL acknowledged record is in the log of every later leader once it leads (no disk is ever lost here, so a majority of every replica set always survives);</item>
/// <item>committed prefixes never diverge: every member's records below its commit point equal the cluster-wide committed record at that offset;</item>
/// <item>a deposed leader never gets an acknowledgement: no two different records are acknowledged at one offset, and an acknowledgement from a term is only for a record every later leader already has;</item>
/// <item>durable means durable: an acknowledgement (a follower's or a ONE completion) never claims more than the log has flushed, and a crash keeps everything flushed;</item>
/// <item>exactly once: no producer sequence is committed twice;</item>
/// <item>the consumed offset never passes a member's commit point and never goes back while the member runs.</item>
/// </list>
/// Liveness (5 in docs/replication.md) is checked by the simulator itself.
/// </summary>
internal sealed class Checker(int partitions, Action<string> trace)
{
    private readonly List<LogRecord?>[] _committed = Enumerable.Range(0, partitions).Select(_ => new List<LogRecord?>()).ToArray();
    private readonly HashSet<(string, long)>[] _committedSequences = Enumerable.Range(0, partitions).Select(_ => new HashSet<(string, long)>()).ToArray();
    private readonly Dictionary<(string, int), long> _checkedCommit = [];
    private readonly Dictionary<(string, int), long> _leadingTerm = [];
    private readonly Dictionary<(string, int), long> _consumed = [];
    private readonly List<Acknowledged>[] _acknowledged = Enumerable.Range(0, partitions).Select(_ => new List<Acknowledged>()).ToArray();
    private readonly List<Activation>[] _activations = Enumerable.Range(0, partitions).Select(_ => new List<Activation>()).ToArray();
    private readonly long[] _settledEpoch = new long[partitions];

    public int CommittedRecords => _committed.Sum(c => c.Count(r => r is not null));

    public int Acknowledgements { get; private set; }

    public int Activations => _activations.Sum(a => a.Count);

    /// <summary>Highest epoch of any term whose TermStart record is committed in partition <paramref name="partition"/>.</summary>
    public long SettledEpoch(int partition) => _settledEpoch[partition];

    /// <summary>Invariants 1 to 3 and 5 for one member after it handled something.</summary>
    public void AfterStep(SimMember member)
    {
        if (member.Node is not { } node)
        {
            return;
        }

        foreach (var status in node.GetStatuses())
        {
            var p = status.Partition;
            var log = member.Log(p);
            CheckCommittedPrefix(member.Id, log, status.CommitOffset);
            CheckConsumed(member.Id, status);
            if (status.Role == ReplicaRole.Leading && _leadingTerm.GetValueOrDefault((member.Id, p)) != status.Term)
            {
                _leadingTerm[(member.Id, p)] = status.Term;
                Activate(member.Id, p, status.Term, log);
            }
            else if (status.Role != ReplicaRole.Leading)
            {
                _leadingTerm.Remove((member.Id, p));
            }
        }
    }

    /// <summary>A member restarted: its committed prefix is compared again from the start.</summary>
    public void Restarted(SimMember member)
    {
        foreach (var key in _checkedCommit.Keys.Where(k => k.Item1 == member.Id).ToList())
        {
            _checkedCommit.Remove(key);
        }

        foreach (var key in _leadingTerm.Keys.Where(k => k.Item1 == member.Id).ToList())
        {
            _leadingTerm.Remove(key);
        }

        foreach (var key in _consumed.Keys.Where(k => k.Item1 == member.Id).ToList())
        {
            _consumed.Remove(key);
        }
    }

    /// <summary>Invariant 6: consumed offsets stay at or below the commit point and only move forward.</summary>
    private void CheckConsumed(string member, PartitionStatus status)
    {
        if (status.ConsumedOffset > status.CommitOffset)
        {
            throw new InvariantViolation($"(6) {member} has consumed offset {status.ConsumedOffset} for partition {status.Partition} above its commit point {status.CommitOffset}");
        }

        var key = (member, status.Partition);
        if (status.LogEnd == 0)
        {
            // A copy released by its leader (a substitute's, or a replica the ring moved away) starts over empty.
            _consumed.Remove(key);
            return;
        }

        if (status.ConsumedOffset < _consumed.GetValueOrDefault(key))
        {
            throw new InvariantViolation($"(6) {member}'s consumed offset of partition {status.Partition} went back from {_consumed[key]} to {status.ConsumedOffset}");
        }

        _consumed[key] = status.ConsumedOffset;
    }

    /// <summary>Invariants 3 and 4 for an acknowledged proposal.</summary>
    public void Completed(SimMember member, Completion completion, long leaderTerm, ReadOnlyMemory<byte> proposed)
    {
        if (completion.Outcome != ProposalOutcome.Acknowledged)
        {
            return;
        }

        var log = member.Log(completion.Partition);
        var record = Read(log, completion.Offset)
            ?? throw new InvariantViolation($"{member.Id} acknowledged offset {completion.Offset} of partition {completion.Partition} but its log does not hold it");
        if (!SameWrite(record, proposed))
        {
            throw new InvariantViolation($"{member.Id} acknowledged offset {completion.Offset} of partition {completion.Partition} for a record it does not hold there");
        }

        if (completion.Level == CommitLevel.One)
        {
            if (log.DurableOffset <= completion.Offset)
            {
                throw new InvariantViolation($"(4) {member.Id} acknowledged ONE at offset {completion.Offset} of partition {completion.Partition} with its log durable only below {log.DurableOffset}");
            }

            return;
        }

        Acknowledgements++;
        var p = completion.Partition;
        foreach (var earlier in _acknowledged[p])
        {
            if (earlier.Record.Offset == record.Offset && !earlier.Record.SameContent(record))
            {
                throw new InvariantViolation($"(3) two different records acknowledged at offset {record.Offset} of partition {p}: {Describe(earlier.Record)} in term {earlier.LeaderTerm} and {Describe(record)} by {member.Id} in term {leaderTerm}");
            }
        }

        foreach (var activation in _activations[p])
        {
            if (activation.Term > leaderTerm && !Holds(activation.Log, record))
            {
                throw new InvariantViolation($"(3) {member.Id} got an acknowledgement in term {leaderTerm} at offset {record.Offset} of partition {p} that the later leader {activation.Member} of term {activation.Term} does not hold");
            }
        }

        _acknowledged[p].Add(new Acknowledged(record, leaderTerm, member.Id));
    }

    /// <summary>Invariant 4: an acknowledgement leaving a member never claims more than its log flushed.</summary>
    public static void AcknowledgementSent(SimMember member, int partition, long matched)
    {
        var log = member.Log(partition);
        if (log.DurableOffset < matched)
        {
            throw new InvariantViolation($"(4) {member.Id} acknowledged partition {partition} up to {matched} while its log is durable only below {log.DurableOffset}");
        }
    }

    /// <summary>Invariant 4: a crash keeps every record that was durable.</summary>
    public static void Crashed(SimMember member, Dictionary<int, (long Durable, List<LogRecord> Records)> before)
    {
        foreach (var (p, (durable, records)) in before)
        {
            var log = member.Log(p);
            foreach (var record in records)
            {
                if (record.Offset >= durable)
                {
                    break;
                }

                var after = Read(log, record.Offset);
                if (after is null || !after.SameContent(record))
                {
                    throw new InvariantViolation($"(4) {member.Id} lost durable record {Describe(record)} of partition {p} in a crash");
                }
            }
        }
    }

    private void Activate(string member, int p, long term, IPartitionLog log)
    {
        var records = ReadAll(log);
        foreach (var acknowledged in _acknowledged[p])
        {
            if (acknowledged.LeaderTerm < term && !Holds(records, acknowledged.Record))
            {
                throw new InvariantViolation($"(1) {member} leads partition {p} in term {term} without {Describe(acknowledged.Record)}, acknowledged at {acknowledged.Record.Offset} by {acknowledged.Member} in term {acknowledged.LeaderTerm}");
            }
        }

        _activations[p].Add(new Activation(member, term, records));
        trace($"{member} leads partition {p} in term {TermText(term)} with log end {records.Count + (records.Count == 0 ? 0 : records[0].Offset)}");
    }

    private void CheckCommittedPrefix(string member, MemoryPartitionLog log, long commit)
    {
        var key = (member, log.Partition);
        var from = Math.Max(_checkedCommit.GetValueOrDefault(key), log.StartOffset);
        if (commit <= from)
        {
            return;
        }

        var committed = _committed[log.Partition];
        var records = new List<LogRecord>();
        log.Read(from, (int)(commit - from), long.MaxValue, records);
        if (records.Count < commit - from)
        {
            throw new InvariantViolation($"(2) {member} has commit point {commit} for partition {log.Partition} but its log ends at {log.NextOffset}");
        }

        foreach (var record in records)
        {
            while (committed.Count <= record.Offset)
            {
                committed.Add(null);
            }

            if (committed[(int)record.Offset] is { } known)
            {
                if (!known.SameContent(record))
                {
                    throw new InvariantViolation($"(2) committed prefixes diverge at offset {record.Offset} of partition {log.Partition}: {member} has {Describe(record)}, committed was {Describe(known)}");
                }

                continue;
            }

            committed[(int)record.Offset] = record;
            if (record.Kind == RecordKind.TermStart)
            {
                _settledEpoch[log.Partition] = Math.Max(_settledEpoch[log.Partition], TermNumbers.EpochOf(record.Term));
            }

            if (record.ProducerId is { } producer && !_committedSequences[log.Partition].Add((producer, record.Sequence)))
            {
                throw new InvariantViolation($"(5) sequence {record.Sequence} of producer {producer} committed twice in partition {log.Partition} (again at {record.Offset})");
            }
        }

        _checkedCommit[key] = commit;
    }

    private static bool Holds(List<LogRecord> log, LogRecord record)
    {
        var first = log.Count == 0 ? 0 : log[0].Offset;
        var index = record.Offset - first;
        return index >= 0 && index < log.Count && log[(int)index].SameContent(record);
    }

    private static bool SameWrite(LogRecord held, ReadOnlyMemory<byte> proposed) =>
        held.Body.Span.SequenceEqual(proposed.Span) && held.Kind == RecordKind.Data;

    private static LogRecord? Read(IPartitionLog log, long offset)
    {
        if (offset < log.StartOffset || offset >= log.NextOffset)
        {
            return null;
        }

        var records = new List<LogRecord>(1);
        log.Read(offset, 1, long.MaxValue, records);
        return records.Count == 1 ? records[0] : null;
    }

    public static List<LogRecord> ReadAll(IPartitionLog log)
    {
        var records = new List<LogRecord>();
        log.Read(log.StartOffset, int.MaxValue, long.MaxValue, records);
        return records;
    }

    /// <summary>A term as the schedule shows it: epoch, then attempt (4.0).</summary>
    public static string TermText(long term) => $"{TermNumbers.EpochOf(term)}.{TermNumbers.AttemptOf(term)}";

    private static string Describe(LogRecord record) =>
        $"[{record.Offset} t{TermText(record.Term)} {record.Kind} #{(record.Body.Length == 8 ? BitConverter.ToInt64(record.Body.Span) : record.Body.Length)}]";

    private sealed record Acknowledged(LogRecord Record, long LeaderTerm, string Member);

    private sealed record Activation(string Member, long Term, List<LogRecord> Log);
}
