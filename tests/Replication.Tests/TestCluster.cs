using System.Text;
using DataCluster.Replication.Messages;
using DataCluster.Ring;
using DataCluster.Storage;

namespace DataCluster.Replication.Tests;

/// <summary>A message between two members, as a test sees it.</summary>
public sealed record Envelope(string From, string To, PeerMessage Message);

/// <summary>
/// A few <see cref="ReplicaNode"/>s over in-memory logs with a hand-driven network, for unit
/// tests of single rules: every message waits in <see cref="InFlight"/> until a test delivers or
/// drops it. Carries out each Ready as an agent must (send now, flush, save, send after, advance).
/// </summary>
public sealed class TestCluster
{
    private readonly ReplicationOptions _options;
    private readonly Action<ReplicaNode>? _configure;

    /// <param name="members">The member ids, each started at once.</param>
    /// <param name="options">Replication settings; the defaults when null.</param>
    /// <param name="configure">Runs on each node as it starts (and restarts), before its first assignment.</param>
    public TestCluster(string[] members, ReplicationOptions? options = null, Action<ReplicaNode>? configure = null)
    {
        _options = options ?? new ReplicationOptions();
        _configure = configure;
        foreach (var id in members)
        {
            Members[id] = new Member(id);
            Start(id);
        }
    }

    public Dictionary<string, Member> Members { get; } = new(StringComparer.Ordinal);

    public List<Envelope> InFlight { get; } = [];

    public List<Completion> Completions { get; } = [];

    /// <summary>Damage the members reported, with who reported it.</summary>
    public List<(string Member, DamagedPartition Damage)> Damaged { get; } = [];

    public HashSet<string> Isolated { get; } = new(StringComparer.Ordinal);

    public long Now { get; private set; } = 1_000;

    public Assignment? Current { get; private set; }

    public ReplicaNode Node(string id) => Members[id].Node ?? throw new InvalidOperationException($"{id} is down");

    public MemoryPartitionLog Log(string id, int partition = 0) => Members[id].Log(partition);

    /// <summary>Publishes an assignment (leader first in each set) to every member that is up.</summary>
    public Assignment Assign(long epoch, params string[][] sets)
    {
        Current = Assignment.Create(epoch, sets.Length, sets.Max(s => s.Length), sets);
        foreach (var member in Members.Values.Where(m => m.Node is not null))
        {
            member.Node!.SetAssignment(Current);
            Process(member.Id);
        }

        return Current;
    }

    /// <summary>Publishes an assignment to the named members only (the others have not seen it yet).</summary>
    public void AssignTo(Assignment assignment, params string[] ids)
    {
        foreach (var id in ids)
        {
            Node(id).SetAssignment(assignment);
            Process(id);
        }
    }

    public ProposeResult Propose(string id, string body, CommitLevel level = CommitLevel.Quorum, int partition = 0, string? producer = null, long sequence = -1)
    {
        var result = Node(id).Propose(partition, Encoding.UTF8.GetBytes("key"), "text/plain", Encoding.UTF8.GetBytes(body), level, producer, sequence);
        Process(id);
        return result;
    }

    /// <summary>Carries out every Ready of a member until it has nothing more to do.</summary>
    public void Process(string id)
    {
        var member = Members[id];
        for (var round = 0; round < 100 && member.Node is { } node; round++)
        {
            var ready = node.TakeReady();
            if (ready.IsEmpty)
            {
                node.Advance(ready);
                return;
            }

            Enqueue(id, ready.SendNow);
            Completions.AddRange(ready.Completions);
            foreach (var log in ready.LogsToFlush)
            {
                log.FlushAsync().AsTask().GetAwaiter().GetResult();
            }

            if (ready.StatesToSave.Count > 0)
            {
                member.Store.SaveAsync(ready.StatesToSave).AsTask().GetAwaiter().GetResult();
            }

            Enqueue(id, ready.SendAfterPersist);
            Damaged.AddRange(ready.Damaged.Select(d => (id, d)));
            node.Advance(ready);
        }
    }

    /// <summary>Delivers queued messages (and what they cause) until none is left; drops those <paramref name="drop"/> selects.</summary>
    public int DeliverAll(Func<Envelope, bool>? drop = null, int maxMessages = 10_000)
    {
        var delivered = 0;
        while (InFlight.Count > 0 && delivered < maxMessages)
        {
            var next = InFlight[0];
            InFlight.RemoveAt(0);
            if (drop?.Invoke(next) == true)
            {
                continue;
            }

            Deliver(next);
            delivered++;
        }

        return delivered;
    }

    /// <summary>Delivers one message now.</summary>
    public void Deliver(Envelope envelope)
    {
        InFlight.Remove(envelope);
        if (Members[envelope.To].Node is { } node && !Isolated.Contains(envelope.To) && !Isolated.Contains(envelope.From))
        {
            node.Step(envelope.From, envelope.Message);
            Process(envelope.To);
        }
    }

    /// <summary>Advances the clock by <paramref name="ms"/>, ticking every member every 10 ms and delivering everything in between.</summary>
    public void Run(long ms, Func<Envelope, bool>? drop = null)
    {
        var end = Now + ms;
        while (Now < end)
        {
            Now = Math.Min(end, Now + 10);
            foreach (var member in Members.Values.Where(m => m.Node is not null))
            {
                member.Node!.Tick(Now);
                Process(member.Id);
            }

            DeliverAll(drop);
        }
    }

    /// <summary>Advances the clock and ticks without delivering anything.</summary>
    public void Tick(long ms)
    {
        Now += ms;
        foreach (var member in Members.Values.Where(m => m.Node is not null))
        {
            member.Node!.Tick(Now);
            Process(member.Id);
        }
    }

    /// <summary>Stops a member: unflushed log writes are lost (or partly kept with <paramref name="random"/>), saved states survive.</summary>
    public void Crash(string id, Random? random = null)
    {
        var member = Members[id];
        member.Node = null;
        foreach (var log in member.Logs.Values)
        {
            log.Crash(random);
        }

        InFlight.RemoveAll(e => e.To == id);
    }

    /// <summary>Starts a member again over its surviving logs and states, with the current assignment or the one given.</summary>
    public void Start(string id, Assignment? assignment = null)
    {
        var member = Members[id];
        member.Node = new ReplicaNode(id, member.Log, member.Store, _options);
        _configure?.Invoke(member.Node);
        member.Node.Tick(Now);
        if ((assignment ?? Current) is { } first)
        {
            member.Node.SetAssignment(first);
        }

        Process(id);
    }

    public IEnumerable<T> Sent<T>(string? from = null, string? to = null)
        where T : PartitionMessage =>
        InFlight.Where(e => (from is null || e.From == from) && (to is null || e.To == to)).SelectMany(e => e.Message.Items).OfType<T>();

    public static string BodyOf(LogRecord record) => Encoding.UTF8.GetString(record.Body.Span);

    /// <summary>The data records of a member's log, as their bodies.</summary>
    public List<string> Bodies(string id, int partition = 0)
    {
        var log = Log(id, partition);
        var records = new List<LogRecord>();
        log.Read(log.StartOffset, int.MaxValue, long.MaxValue, records);
        return records.Where(r => r.Kind == RecordKind.Data).Select(BodyOf).ToList();
    }

    private void Enqueue(string from, IReadOnlyList<OutgoingMessage> messages)
    {
        foreach (var message in messages)
        {
            InFlight.Add(new Envelope(from, message.To, message.Message));
        }
    }

    public sealed class Member(string id)
    {
        public string Id { get; } = id;

        public ReplicaNode? Node { get; set; }

        public Dictionary<int, MemoryPartitionLog> Logs { get; } = [];

        public MemoryReplicaStateStore Store { get; } = new();

        public MemoryPartitionLog Log(int partition)
        {
            if (!Logs.TryGetValue(partition, out var log))
            {
                log = new MemoryPartitionLog(partition);
                Logs[partition] = log;
            }

            return log;
        }
    }
}
