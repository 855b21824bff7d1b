using DataCluster.Replication.Messages;
using DataCluster.Ring;
using DataCluster.Storage;

namespace DataCluster.Replication;

/// <summary>
/// The replication protocol of one member for all its partitions, as a pure state machine in the
/// manner of etcd's raft: assignments, peer messages, ticks and proposals go in; a
/// <see cref="Ready"/> batch of logs to flush, states to save, messages to send and proposals
/// completed comes out. No I/O, no timers, no threads: the caller persists and sends.
/// </summary>
/// <remarks>
/// <para>Not thread-safe: one caller at a time (the agent's replication loop, or a simulator).
/// Nothing blocks; no method awaits.</para>
/// <para>Ordering: calls take effect in the order made. After <see cref="TakeReady"/> the caller
/// must carry out the Ready (see its remarks) and call <see cref="Advance"/> before any other call.
/// Appends and truncations are made on the <see cref="IPartitionLog"/>s directly (visible at once,
/// durable once flushed); the Ready only names which logs to flush.</para>
/// <para>Time: <see cref="Tick"/> passes the clock (Unix milliseconds, never going back); record
/// timestamps and every timer use the last value passed.</para>
/// </remarks>
public sealed class ReplicaNode
{
    private readonly NodeContext _node;
    private readonly Func<int, IPartitionLog> _openLog;
    private readonly IReadOnlyDictionary<int, ReplicaState> _saved;
    private readonly PartitionTable _partitions = new();

    // Partitions whose log was found damaged, with their last status; they take no part any more.
    private readonly SortedDictionary<int, PartitionStatus> _damaged = [];

    // Members this one shares a partition with: they get a ping when nothing else went to them.
    private string[] _peers = [];

    // Partitions that took an input since the last Ready (a message, a proposal, a flush): only
    // they can have something new to send, so TakeReady visits them alone instead of every
    // partition per loop turn. A tick or an assignment marks them all (timers may fire anywhere).
    private readonly HashSet<int> _touched = [];
    private readonly List<int> _touchedInOrder = [];
    private bool _allTouched = true;

    // Members outside the assignment this one exchanges messages with (substitutes), gathered each tick.
    private readonly HashSet<string> _offAssignmentPeers = new(StringComparer.Ordinal);
    private Assignment? _assignment;
    private bool _readyTaken;

    /// <summary>A node for member <paramref name="self"/>. Loads every saved replica state; opens logs lazily.</summary>
    /// <param name="self">This member's id, as assignments name it.</param>
    /// <param name="openLog">Opens (or creates) the log of a partition; called at most once per partition.</param>
    /// <param name="states">The durable replica states of this member.</param>
    /// <param name="options">Settings; must be valid (<see cref="ReplicationOptions.Validate"/>).</param>
    /// <param name="incarnation">
    /// Tells this start of the member's node from its earlier ones (peers that see it change know
    /// the node lost what it kept in memory); null picks a random one.
    /// </param>
    public ReplicaNode(string self, Func<int, IPartitionLog> openLog, IReplicaStateStore states, ReplicationOptions options, long? incarnation = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(self);
        ArgumentNullException.ThrowIfNull(openLog);
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid replication options: {string.Join("; ", errors)}", nameof(options));
        }

        _node = new NodeContext(self, options, incarnation ?? Random.Shared.NextInt64());
        _openLog = openLog;
        _saved = states.Load();
    }

    /// <summary>This member's id.</summary>
    public string Self => _node.Self;

    /// <summary>
    /// Chooses a substitute for a down replica of a partition this member leads ("get it done"
    /// mode); null (the default) turns substitutes off: the leader waits for the replica.
    /// </summary>
    public SubstituteChooser? SubstituteChooser
    {
        get => _node.SubstituteChooser;
        set
        {
            EnsureNotInReady();
            _node.SubstituteChooser = value;
        }
    }

    /// <summary>Stand-ins the leaders on this member put in place for down replicas, since the node started.</summary>
    public long SubstitutionsStarted => _node.SubstitutionsStarted;

    /// <summary>Copies of partitions outside this member's assignment that it dropped once their leader released them, since the node started.</summary>
    public long SubstituteCopiesReleased => _node.CopiesReleased;

    /// <summary>The newest assignment taken, or null before the first.</summary>
    public Assignment? Assignment => _assignment;

    /// <summary>
    /// Takes a newer assignment (an older or equal epoch is ignored). The first replica of a
    /// partition starts leading it; a member that led a partition it no longer leads steps down.
    /// </summary>
    public void SetAssignment(Assignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        EnsureNotInReady();
        if (!assignment.Supersedes(_assignment))
        {
            return;
        }

        var previous = _assignment;
        _assignment = assignment;
        _allTouched = true;
        var peers = new HashSet<string>(StringComparer.Ordinal);
        for (var p = 0; p < assignment.Partitions; p++)
        {
            var replicas = assignment.ReplicasOf(p);
            if (replicas.IndexOf(Self) >= 0)
            {
                foreach (var member in replicas)
                {
                    peers.Add(member);
                }
            }

            if ((replicas.IndexOf(Self) >= 0 || _partitions.ContainsKey(p)) && !_damaged.ContainsKey(p))
            {
                var replica = Replica(p);
                if (previous is not null && previous.Partitions == assignment.Partitions)
                {
                    // The set this member saw before, even for a partition it held no replica of:
                    // a leader's prepare must cover it (reconfiguration rule).
                    replica.Remember(previous.ReplicasOf(p));
                }

                try
                {
                    replica.Assign(assignment.Epoch, replicas, assignment.LeaderOf(p));
                }
                catch (LogCorruptedException e)
                {
                    Quarantine(replica, e);
                }
            }
        }

        peers.Remove(Self);
        _peers = [.. peers.Order(StringComparer.Ordinal)];
    }

    /// <summary>Handles one batch of messages from peer <paramref name="from"/>.</summary>
    public void Step(string from, PeerMessage message)
    {
        ArgumentException.ThrowIfNullOrEmpty(from);
        ArgumentNullException.ThrowIfNull(message);
        EnsureNotInReady();
        _node.Liveness.Heard(from, _node.Now);
        foreach (var item in message.Items)
        {
            if (item is NodePing ping)
            {
                if (_node.Liveness.NewIncarnation(from, ping.Incarnation))
                {
                    // What the leaders here know of that member's replicas may have been in a memory it lost.
                    ForEachReplica(replica => replica.PeerRestarted(from));
                    _allTouched = true;
                }

                continue;
            }

            if (item.Partition < 0 || (_assignment is not null && item.Partition >= _assignment.Partitions) || _damaged.ContainsKey(item.Partition))
            {
                continue;
            }

            var replica = Replica(item.Partition);
            _touched.Add(item.Partition);
            try
            {
                replica.Step(from, item);
            }
            catch (LogCorruptedException e)
            {
                Quarantine(replica, e);
            }
        }
    }

    /// <summary>
    /// Advances the clock to <paramref name="nowMs"/> and runs every timer due; pings the members
    /// this one shares partitions with that nothing was sent to for a heartbeat interval.
    /// </summary>
    /// <returns>
    /// True when every partition is quiet: no timer but the pings can fire until a message or a
    /// proposal arrives, so the caller may tick as seldom as once per
    /// <see cref="ReplicationOptions.HeartbeatIntervalMs"/>.
    /// </returns>
    public bool Tick(long nowMs)
    {
        EnsureNotInReady();
        _node.Now = Math.Max(_node.Now, nowMs);
        _allTouched = true;
        var busy = false;
        _offAssignmentPeers.Clear();
        ForEachReplica(replica =>
        {
            busy |= replica.Tick();
            replica.AddOffAssignmentPeers(_offAssignmentPeers);
        });
        foreach (var peer in _peers)
        {
            _node.PingIfSilent(peer);
            _offAssignmentPeers.Remove(peer);
        }

        foreach (var peer in _offAssignmentPeers)
        {
            _node.PingIfSilent(peer);
        }

        return !busy;
    }

    /// <summary>
    /// Proposes a record to a partition this member leads. Returns a ticket whose
    /// <see cref="Completion"/> comes in a later <see cref="Ready"/>, or a refusal saying why
    /// (not the leader and who is, syncing, commit level cannot be met, sequence out of window).
    /// </summary>
    /// <param name="partition">The partition.</param>
    /// <param name="key">The entity key as UTF-8.</param>
    /// <param name="contentType">The client's content type, or null.</param>
    /// <param name="body">The payload.</param>
    /// <param name="level">When to acknowledge.</param>
    /// <param name="producerId">The producer, for idempotent retries; null for none.</param>
    /// <param name="sequence">The producer's sequence number (ignored without a producer).</param>
    public ProposeResult Propose(
        int partition,
        ReadOnlyMemory<byte> key,
        string? contentType,
        ReadOnlyMemory<byte> body,
        CommitLevel level,
        string? producerId = null,
        long sequence = -1)
    {
        EnsureNotInReady();
        if (_damaged.ContainsKey(partition))
        {
            return ProposeResult.Refused(ProposeStatus.Damaged, null, _node.Options.RetryAfterMs,
                $"this member's copy of partition {partition} is damaged and takes no writes; its data must be replaced (see the agent's log)");
        }

        if (!_partitions.TryGetValue(partition, out var replica))
        {
            var leader = _assignment is not null && partition >= 0 && partition < _assignment.Partitions ? _assignment.LeaderOf(partition) : null;
            return ProposeResult.Refused(ProposeStatus.NotLeader, leader, _node.Options.RetryAfterMs,
                leader is null ? $"partition {partition} has no leader right now; retry later" : $"this member does not lead partition {partition}; send the write to {leader}");
        }

        _touched.Add(partition);
        try
        {
            return replica.Propose(key, contentType, body, level, producerId, sequence);
        }
        catch (LogCorruptedException e)
        {
            Quarantine(replica, e);
            return Propose(partition, key, contentType, body, level, producerId, sequence);
        }
    }

    /// <summary>
    /// Records that the app consumed every data record of <paramref name="partition"/> below
    /// <paramref name="offset"/>. Only the leader takes it (in <paramref name="term"/> when not 0),
    /// only forward, never above the commit point; followers learn it with the next append or
    /// heartbeat, and every replica saves it with its state (within
    /// <see cref="ReplicationOptions.ConsumedSaveIntervalMs"/>).
    /// </summary>
    public ConsumeResult Consume(int partition, long offset, long term = 0)
    {
        EnsureNotInReady();
        if (!_partitions.TryGetValue(partition, out var replica))
        {
            var leader = _assignment is not null && partition >= 0 && partition < _assignment.Partitions ? _assignment.LeaderOf(partition) : null;
            return new ConsumeResult(ConsumeStatus.NotLeader, 0, 0, leader == Self ? null : leader);
        }

        _touched.Add(partition);
        return replica.Consume(offset, term);
    }

    /// <summary>
    /// True when the next <see cref="TakeReady"/> has something to carry out already (an
    /// <see cref="Advance"/> completed proposals or started a term): take it without waiting for
    /// another input.
    /// </summary>
    public bool HasOutput => !_node.Outbox.IsEmpty;

    /// <summary>Where delivery of <paramref name="partition"/> stands, or null when this member does not lead it (or is still syncing).</summary>
    public DeliveryPosition? DeliveryPosition(int partition) =>
        _partitions.TryGetValue(partition, out var replica) ? replica.DeliveryPosition() : null;

    /// <summary>
    /// Collects what must be persisted and sent (leaders send their appends here, followers their
    /// acknowledgements). Call <see cref="Advance"/> with it once carried out.
    /// </summary>
    public Ready TakeReady()
    {
        EnsureNotInReady();
        if (_allTouched)
        {
            ForEachReplica(static replica => replica.BeforeReady());
        }
        else
        {
            // In partition order, as a walk of every partition would visit them: the Ready is the same.
            _touchedInOrder.AddRange(_touched);
            _touchedInOrder.Sort();
            ForEachReplica(static replica => replica.BeforeReady(), _touchedInOrder);
            _touchedInOrder.Clear();
        }

        _touched.Clear();
        _allTouched = false;
        _readyTaken = true;
        return _node.Outbox.Take();
    }

    /// <summary>Tells the node that <paramref name="ready"/>'s logs are flushed and states saved (and its messages handed to the transport).</summary>
    public void Advance(Ready ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        _readyTaken = false;
        foreach (var log in ready.LogsToFlush)
        {
            if (!ready.StatesToSave.ContainsKey(log.Partition) && _partitions.TryGetValue(log.Partition, out var replica))
            {
                replica.Persisted(null);
                _touched.Add(log.Partition);
            }
        }

        foreach (var (partition, state) in ready.StatesToSave)
        {
            if (_partitions.TryGetValue(partition, out var replica))
            {
                replica.Persisted(state);
                _touched.Add(partition);
            }
        }
    }

    /// <summary>One partition as this member sees it; null when it never held or heard of it.</summary>
    public PartitionStatus? GetStatus(int partition) =>
        _partitions.TryGetValue(partition, out var replica) ? replica.Status() : _damaged.GetValueOrDefault(partition);

    /// <summary>What the syncing leader of <paramref name="partition"/> on this member waits for; null when it leads no syncing term there.</summary>
    public string? SyncWait(int partition) =>
        _partitions.TryGetValue(partition, out var replica) ? replica.SyncWait() : null;

    /// <summary>Every partition this member holds or heard of, in partition order.</summary>
    public IReadOnlyList<PartitionStatus> GetStatuses()
    {
        var statuses = new List<PartitionStatus>(_partitions.Count + _damaged.Count);
        foreach (var replica in _partitions.Values)
        {
            statuses.Add(replica.Status());
        }

        if (_damaged.Count > 0)
        {
            statuses.AddRange(_damaged.Values);
            statuses.Sort((a, b) => a.Partition.CompareTo(b.Partition));
        }

        return statuses;
    }

    private PartitionReplica Replica(int partition)
    {
        if (!_partitions.TryGetValue(partition, out var replica))
        {
            var log = _openLog(partition);
            replica = new PartitionReplica(_node, log, _saved.GetValueOrDefault(partition) ?? ReplicaState.Initial);
            _partitions.Add(partition, replica);
        }

        return replica;
    }

    /// <summary>
    /// Runs <paramref name="step"/> on every partition, or on those of <paramref name="only"/>
    /// that this member holds. One whose log turns out damaged is quarantined once the walk is
    /// over (the dictionary cannot change while it is walked); the others are not held up.
    /// </summary>
    private void ForEachReplica(Action<PartitionReplica> step, List<int>? only = null)
    {
        List<(PartitionReplica Replica, LogCorruptedException Error)>? damaged = null;
        foreach (var replica in only is null ? _partitions.Values : Held(only))
        {
            try
            {
                step(replica);
            }
            catch (LogCorruptedException e)
            {
                (damaged ??= []).Add((replica, e));
            }
        }

        foreach (var (replica, error) in damaged ?? [])
        {
            Quarantine(replica, error);
        }
    }

    private IEnumerable<PartitionReplica> Held(List<int> partitions)
    {
        foreach (var partition in partitions)
        {
            if (_partitions.TryGetValue(partition, out var replica))
            {
                yield return replica;
            }
        }
    }

    /// <summary>
    /// Takes a partition whose log is damaged out of play on this member: its pending proposals
    /// fail, it stops leading, and it neither answers nor sends for it again (until the process
    /// restarts on replaced data). The damage is reported once in the next <see cref="Ready"/>.
    /// The rest of the node carries on.
    /// </summary>
    private void Quarantine(PartitionReplica replica, LogCorruptedException error)
    {
        var reason = $"partition {replica.Partition}: {error.Message}";
        replica.Quarantine(reason);
        _damaged[replica.Partition] = replica.Status() with { Role = ReplicaRole.Damaged, Followers = [] };
        _partitions.Remove(replica.Partition);
        _node.Outbox.Damaged(new DamagedPartition(replica.Partition, error.Message));
    }

    private void EnsureNotInReady()
    {
        if (_readyTaken)
        {
            throw new InvalidOperationException("a Ready was taken and not advanced: persist it, send it and call Advance before any other call");
        }
    }
}
