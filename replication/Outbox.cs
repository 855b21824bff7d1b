using DataCluster.Replication.Messages;
using DataCluster.Storage;

namespace DataCluster.Replication;

/// <summary>Collects what the partitions of one node produce until the next <see cref="Ready"/>.</summary>
/// <remarks>Not thread-safe; owned by one <see cref="ReplicaNode"/>.</remarks>
internal sealed class Outbox
{
    private readonly Dictionary<string, List<PartitionMessage>> _now = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PartitionMessage>> _after = new(StringComparer.Ordinal);
    private readonly List<IPartitionLog> _flush = [];
    private readonly HashSet<int> _flushed = [];
    private readonly Dictionary<int, ReplicaState> _states = [];
    private readonly List<Completion> _completions = [];
    private readonly List<DamagedPartition> _damaged = [];

    public bool IsEmpty => _now.Count == 0 && _after.Count == 0 && _flush.Count == 0 && _states.Count == 0 && _completions.Count == 0 && _damaged.Count == 0;

    /// <summary>A message that may leave before anything of this batch is durable.</summary>
    public void SendNow(string to, PartitionMessage message) => Add(_now, to, message);

    /// <summary>A message that may leave only once this batch's logs and states are durable.</summary>
    public void SendAfterPersist(string to, PartitionMessage message) => Add(_after, to, message);

    public void Flush(IPartitionLog log)
    {
        if (_flushed.Add(log.Partition))
        {
            _flush.Add(log);
        }
    }

    public void Save(int partition, ReplicaState state) => _states[partition] = state;

    public void Complete(Completion completion) => _completions.Add(completion);

    public void Damaged(DamagedPartition damaged) => _damaged.Add(damaged);

    public Ready Take()
    {
        var ready = new Ready([.. _flush], new Dictionary<int, ReplicaState>(_states), Build(_now), Build(_after), [.. _completions], [.. _damaged]);
        _flush.Clear();
        _flushed.Clear();
        _states.Clear();
        _completions.Clear();
        _damaged.Clear();
        return ready;
    }

    private static void Add(Dictionary<string, List<PartitionMessage>> into, string to, PartitionMessage message)
    {
        if (!into.TryGetValue(to, out var list))
        {
            list = [];
            into[to] = list;
        }

        list.Add(message);
    }

    private static OutgoingMessage[] Build(Dictionary<string, List<PartitionMessage>> from)
    {
        if (from.Count == 0)
        {
            return [];
        }

        var messages = new OutgoingMessage[from.Count];
        var i = 0;
        foreach (var (to, items) in from)
        {
            messages[i++] = new OutgoingMessage(to, new PeerMessage(items));
        }

        // Peers in a fixed order so that a simulation replays exactly.
        Array.Sort(messages, static (x, y) => string.CompareOrdinal(x.To, y.To));
        from.Clear();
        return messages;
    }
}
