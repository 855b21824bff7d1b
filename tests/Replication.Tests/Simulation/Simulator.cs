using DataCluster.Replication.Messages;
using DataCluster.Ring;
using DataCluster.Storage;

namespace DataCluster.Replication.Tests.Simulation;

/// <summary>
/// Deterministic simulation of a cluster of <see cref="ReplicaNode"/>s (FoundationDB's simulator
/// and TigerBeetle's VOPR in miniature): in-memory logs and state stores, a network with per-pair
/// delays, jitter, loss and splits, a virtual clock, crashes at any point of a Ready (unflushed
/// writes partly kept), restarts, and a ring publishing assignment changes that some members see
/// late. Clients write at ONE, QUORUM and ALL, some as idempotent producers that retry. The
/// <see cref="Checker"/> runs after every step; the last third of the run is quiet and every
/// partition must then acknowledge a QUORUM write (liveness).
/// </summary>
internal sealed partial class Simulator
{
    private const long QuietMs = 5_000;
    private const long ProbeAfterMs = 1_500;

    private readonly SimulationSettings _settings;
    private long _substitutions;
    private long _releases;
    private readonly Random _random;
    private readonly SimMember[] _members;
    private readonly SimNetwork _network;
    private readonly SimulatedRing _ring;
    private readonly Checker _checker;
    private readonly ReplicationOptions _options;
    private readonly List<string> _schedule = [];
    private readonly Dictionary<string, Queue<(long At, Assignment Assignment)>> _assignments = new(StringComparer.Ordinal);
    private long _now;
    private bool _quiet;
    private long _quietSince;
    private int _crashes;
    private int _reassignments;

    public Simulator(SimulationSettings settings)
    {
        _settings = settings;
        _random = new Random(settings.Seed);
        _members = [.. Enumerable.Range(0, settings.Members).Select(i => new SimMember($"m{i}"))];
        _network = new SimNetwork(_random, settings);
        _ring = new SimulatedRing(_random, [.. _members.Select(m => m.Id)], settings.Partitions);
        _checker = new Checker(settings.Partitions, Log);
        _options = new ReplicationOptions
        {
            HeartbeatIntervalMs = 50,
            DownAfterMs = 400,
            RetransmitAfterMs = 150,
            PrepareRetryMs = 80,
            ElectionBackoffMs = 150,
            ProposalTimeoutMs = 2_000,
            MaxBatchRecords = 16,
            PipelineWindow = 3,
            Unsafe = settings.Unsafe,
        };
        _clients = new Client[settings.Partitions];
        for (var p = 0; p < settings.Partitions; p++)
        {
            _clients[p] = new Client(p);
        }

        foreach (var member in _members)
        {
            _assignments[member.Id] = new Queue<(long, Assignment)>();
        }
    }

    /// <summary>Runs the whole schedule; never throws for a violation, it returns it.</summary>
    public SimulationResult Run()
    {
        string? violation = null;
        var step = 0;
        try
        {
            foreach (var member in _members)
            {
                Start(member);
            }

            for (; !_quiet || _now < _quietSince + QuietMs; step++)
            {
                if (step >= _settings.FaultSteps && !_quiet)
                {
                    BeginQuiet();
                }

                _now += 1 + _random.Next(5);
                DeliverMessages();
                DeliverAssignments();
                TickMembers();
                if (!_quiet)
                {
                    Faults();
                }

                Writes();
                Consumes();
            }

            CheckLiveness();
        }
        catch (InvariantViolation e)
        {
            violation = e.Message;
        }

        Log(violation is null ? "end" : $"violation: {violation}");
        foreach (var member in _members)
        {
            CountSubstitutes(member);
        }

        return new SimulationResult(_settings, violation, _schedule, step, _now, _network.Sent, _network.Lost, _writes, _checker.Acknowledgements, _checker.CommittedRecords, _checker.Activations, _crashes, _reassignments, _substitutions, _releases);
    }

    private void Log(string line) => _schedule.Add($"{_now,6} {line}");

    private SimMember? Up(string id) => _members.FirstOrDefault(m => m.Id == id && m.Node is not null);

    private void DeliverMessages()
    {
        while (_network.TryNext(_now, out var envelope))
        {
            if (Up(envelope.To) is { } member)
            {
                Guard(member, () => member.Node!.Step(envelope.From, envelope.Message));
                Process(member);
            }
        }
    }

    private void DeliverAssignments()
    {
        foreach (var member in _members)
        {
            var queue = _assignments[member.Id];
            while (queue.Count > 0 && queue.Peek().At <= _now)
            {
                var assignment = queue.Dequeue().Assignment;
                if (member.Node is not null)
                {
                    Guard(member, () => member.Node!.SetAssignment(assignment));
                    Process(member);
                }
            }
        }
    }

    private void TickMembers()
    {
        foreach (var member in _members)
        {
            if (member.Node is not null && _now >= member.NextTickAt)
            {
                member.NextTickAt = _now + 10;
                Guard(member, () => member.Node!.Tick(_now));
                Process(member);
            }
        }
    }

    /// <summary>Carries out a member's Ready batches as the agent must, crashing it at a random point now and then.</summary>
    private void Process(SimMember member)
    {
        for (var round = 0; round < 50 && member.Node is { } node; round++)
        {
            var ready = Guard(member, node.TakeReady);
            if (ready.IsEmpty)
            {
                node.Advance(ready);
                break;
            }

            Send(member, ready.SendNow);
            foreach (var completion in ready.Completions)
            {
                Completed(member, completion);
            }

            if (!_quiet && _random.Next(1000) < _settings.CrashPerMille)
            {
                Crash(member, "before flushing a Ready");
                return;
            }

            foreach (var log in ready.LogsToFlush)
            {
                _ = log.FlushAsync();
            }

            if (!_quiet && _random.Next(1000) < _settings.CrashPerMille)
            {
                Crash(member, "between flushing logs and saving states");
                return;
            }

            if (ready.StatesToSave.Count > 0)
            {
                _ = member.Store.SaveAsync(ready.StatesToSave);
            }

            Send(member, ready.SendAfterPersist);
            Guard(member, () => node.Advance(ready));
        }

        _checker.AfterStep(member);
        Trace();
    }

    private readonly Dictionary<string, string> _traced = new(StringComparer.Ordinal);

    /// <summary>Logs what changed in the traced partition's saved state and log on any member.</summary>
    private void Trace()
    {
        if (_settings.TracePartition is not { } partition)
        {
            return;
        }

        foreach (var member in _members)
        {
            var state = member.Store.Load().GetValueOrDefault(partition);
            // Not member.Log(): creating a log the member never opened would change what a crash draws.
            if (member.Logs.GetValueOrDefault(partition) is not { } log)
            {
                continue;
            }

            var status = member.Node?.GetStatus(partition);
            var terms = string.Join(" ", log.Terms.Select(t => $"{Checker.TermText(t.Term)}@{t.StartOffset}"));
            var earlier = state?.EarlierReplicaSets is { } sets ? string.Join(" ", sets.Select(set => $"[{string.Join(",", set)}]")) : "";
            var line = $"{(member.Node is null ? "down" : status?.Role.ToString() ?? "-")} promised {(state is null ? "-" : $"{Checker.TermText(state.PromisedTerm)} to {state.PromisedTo} [{string.Join(",", state.PromisedReplicas)}] commit {state.CommitOffset} earlier {earlier} assigned [{string.Join(",", state.AssignedReplicas ?? [])}]")}" +
                $" log {log.StartOffset}..{log.NextOffset} durable {log.DurableOffset} terms {terms}";
            if (!_traced.TryGetValue(member.Id, out var before) || before != line)
            {
                _traced[member.Id] = line;
                Log($"trace p{partition} {member.Id}: {line}");
            }
        }
    }

    private void Send(SimMember member, IReadOnlyList<OutgoingMessage> messages)
    {
        foreach (var message in messages)
        {
            foreach (var item in message.Message.Items)
            {
                if (item is AppendAck ack)
                {
                    Checker.AcknowledgementSent(member, ack.Partition, ack.MatchedOffset);
                }
            }

            _network.Send(member.Id, message.To, message.Message, _now);
        }
    }

    private void Faults()
    {
        if (_random.Next(1000) < _settings.CrashPerMille)
        {
            var up = _members.Where(m => m.Node is not null).ToList();
            if (up.Count > 1)
            {
                Crash(up[_random.Next(up.Count)], "at random");
            }
        }

        foreach (var member in _members)
        {
            if (member.Node is null && _random.Next(1000) < 5)
            {
                Start(member);
            }
        }

        if (_random.Next(1000) < _settings.PartitionPerMille)
        {
            if (_network.Cut.Count > 0)
            {
                _network.Cut.Clear();
                Log("network healed");
            }
            else
            {
                var size = 1 + _random.Next(_members.Length / 2);
                foreach (var member in _members.OrderBy(_ => _random.Next()).Take(size))
                {
                    _network.Cut.Add(member.Id);
                }

                Log($"network split: {{{string.Join(",", _network.Cut.Order())}}} apart");
            }
        }

        if (_random.Next(1000) < _settings.ReassignPerMille
            && _ring.Change(_checker.SettledEpoch, id => Up(id) is not null, id => _members.First(m => m.Id == id).RunningSince) is { } change)
        {
            _reassignments++;
            Log($"assignment {change.Assignment.Epoch}: {change.Change}");
            Publish(change.Assignment);
        }
    }

    private void Publish(Assignment assignment)
    {
        foreach (var member in _members)
        {
            var queue = _assignments[member.Id];
            var delay = _random.Next(100) < _settings.StalePercent ? 500 + _random.Next(2_500) : _random.Next(30);
            var at = Math.Max(_now + delay, queue.Count > 0 ? queue.Last().At : 0);
            queue.Enqueue((at, assignment));
        }
    }

    /// <summary>Adds what a member's node counted (its counters start over when it restarts).</summary>
    private void CountSubstitutes(SimMember member)
    {
        if (member.Node is { } node)
        {
            _substitutions += node.SubstitutionsStarted;
            _releases += node.SubstituteCopiesReleased;
        }
    }

    private void Crash(SimMember member, string why)
    {
        CountSubstitutes(member);
        var before = member.Logs.ToDictionary(l => l.Key, l => (l.Value.DurableOffset, Checker.ReadAll(l.Value)));
        member.Node = null;
        foreach (var log in member.Logs.Values)
        {
            log.Crash(_random);
        }

        Checker.Crashed(member, before);
        _crashes++;
        Log($"{member.Id} crashed {why}");
        Forget(member);
    }

    /// <summary>The first usable member after the replaced one, in member order: deterministic, so a seed replays.</summary>
    private string? ChooseSubstitute(int partition, IReadOnlyList<string> replicas, string replaced, Func<string, bool> usable)
    {
        var at = Array.FindIndex(_members, m => m.Id == replaced);
        for (var i = 1; i <= _members.Length; i++)
        {
            var candidate = _members[(at + i) % _members.Length].Id;
            if (usable(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private void Start(SimMember member)
    {
        member.Incarnation++;
        member.Node = new ReplicaNode(member.Id, member.Log, member.Store, _options);
        if (_settings.Substitutes)
        {
            member.Node.SubstituteChooser = ChooseSubstitute;
        }

        member.NextTickAt = _now;
        member.RunningSince = _ring.Current.Epoch;
        _assignments[member.Id].Clear();
        _checker.Restarted(member);
        Log($"{member.Id} started (incarnation {member.Incarnation}) with assignment {_ring.Current.Epoch}");
        Guard(member, () => member.Node.Tick(_now));
        Guard(member, () => member.Node.SetAssignment(_ring.Current));
        Process(member);
    }

    private void BeginQuiet()
    {
        _quiet = true;
        _quietSince = _now;
        _network.Faulty = false;
        _network.Cut.Clear();
        Log("quiet: network healed, loss off, everyone up with the newest assignment");
        foreach (var member in _members)
        {
            if (member.Node is null)
            {
                Start(member);
            }
            else
            {
                _assignments[member.Id].Clear();
                Guard(member, () => member.Node.SetAssignment(_ring.Current));
                Process(member);
            }
        }
    }

    private T Guard<T>(SimMember member, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is not InvariantViolation)
        {
            throw new InvariantViolation($"{member.Id} threw {e.GetType().Name}: {e.Message}");
        }
    }

    private void Guard(SimMember member, Action action) => Guard(member, () =>
    {
        action();
        return 0;
    });
}
