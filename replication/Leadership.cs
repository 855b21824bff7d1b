using DataCluster.Replication.Messages;

namespace DataCluster.Replication;

/// <summary>Where a leader is in its term.</summary>
internal enum LeaderPhase
{
    /// <summary>Collecting promises.</summary>
    Preparing,

    /// <summary>Promised; fetching the records of the most up-to-date promising replica.</summary>
    Fetching,

    /// <summary>TermStart appended; accepting writes.</summary>
    Leading,
}

/// <summary>
/// A leader's state for one term of one partition: the promises it collected and the replica sets
/// they must cover, its sync, its followers' progress, its commit point and its proposals.
/// </summary>
/// <remarks>Not thread-safe; owned by one partition.</remarks>
internal sealed class Leadership(long term, string[] replicas, ProposalQueue proposals, ProducerTable producers)
{
    public long Term { get; } = term;

    /// <summary>The term's replica set, leader first; commits need a majority of it.</summary>
    public string[] Replicas { get; } = replicas;

    public LeaderPhase Phase { get; set; } = LeaderPhase.Preparing;


    /// <summary>Each promiser's earlier promise (term and replica set), as its promise reported it.</summary>
    public Dictionary<string, (long Term, string[] Replicas)> PriorPromises { get; } = new(StringComparer.Ordinal);

    /// <summary>Earlier replica sets the leader or a promiser still remembers (no newer term has committed since they were replaced).</summary>
    public List<string[]> Earlier { get; } = [];

    /// <summary>The highest last log term any promiser reported, with its replica set.</summary>
    public (long Term, string[] Replicas) HighestLogTerm { get; set; } = (0, []);

    public Dictionary<string, Promise> Promises { get; } = new(StringComparer.Ordinal);

    /// <summary>True once the leader's own promise of the term is saved; it counts only then.</summary>
    public bool SelfPromiseDurable { get; set; }

    public Dictionary<string, long> PrepareSentAt { get; } = new(StringComparer.Ordinal);

    public string? Source { get; set; }

    public long FetchTarget { get; set; }

    public bool ResetOnFetch { get; set; }

    public long FetchSentAt { get; set; }

    public long FetchFrom { get; set; }

    /// <summary>Offset of the term's TermStart record; -1 before it is appended.</summary>
    public long TermStartOffset { get; set; } = -1;

    public long Commit { get; set; }

    public Dictionary<string, FollowerProgress> Followers { get; } = new(StringComparer.Ordinal);

    public ProposalQueue Proposals { get; } = proposals;

    public ProducerTable Producers { get; } = producers;

    /// <summary>
    /// Members of the replica sets this term replaced that are not in its own set: once every
    /// follower holds the log up to the TermStart they are told they may drop their copies. A
    /// member leaves the set when it answers.
    /// </summary>
    public HashSet<string> ToRelease { get; } = new(StringComparer.Ordinal);

    /// <summary>When a release was last sent to each member of <see cref="ToRelease"/>.</summary>
    public Dictionary<string, long> ReleaseSentAt { get; } = new(StringComparer.Ordinal);

    /// <summary>Every replica set this leader needs a majority of promises from, as it knows them now.</summary>
    public IEnumerable<string[]> RequiredSets(bool ownOnly)
    {
        yield return Replicas;
        if (ownOnly)
        {
            yield break;
        }

        foreach (var earlier in Earlier)
        {
            yield return earlier;
        }

        if (HighestLogTerm.Replicas.Length > 0)
        {
            yield return HighestLogTerm.Replicas;
        }

        // A promise at or above the newest term any log shows may belong to a term that committed
        // records no promiser holds; one below it belongs to a term that term's leader superseded.
        foreach (var prior in PriorPromises.Values)
        {
            if (prior.Term >= HighestLogTerm.Term && prior.Replicas.Length > 0)
            {
                yield return prior.Replicas;
            }
        }
    }

    /// <summary>Adds an earlier replica set to cover, unless already known.</summary>
    public void AddEarlier(IReadOnlyList<string> set)
    {
        if (set.Count == 0)
        {
            return;
        }

        foreach (var known in Earlier)
        {
            if (known.Length == set.Count && set.All(known.Contains))
            {
                return;
            }
        }

        Earlier.Add([.. set]);
    }

    /// <summary>
    /// True when every promise so far comes from a member that knows nothing of the partition
    /// beyond this leader's own set: an empty log, no earlier sets, and no earlier promise except
    /// to a term of this same set (an attempt that never appended anything).
    /// </summary>
    public bool AllPromisersFresh()
    {
        foreach (var promise in Promises.Values)
        {
            if (promise.LastTerm != 0 || promise.NextOffset != 0 || promise.EarlierReplicaSets.Count != 0
                || (promise.PriorTerm != 0 && !SameMembers(promise.PriorReplicas, Replicas)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameMembers(IReadOnlyList<string> a, string[] b) =>
        a.Count == b.Length && a.All(b.Contains);

    /// <summary>True when every member of <paramref name="set"/> has promised.</summary>
    public bool AllPromised(string[] set)
    {
        foreach (var member in set)
        {
            if (!Promises.ContainsKey(member))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when a majority of <paramref name="set"/> has promised (the leader itself only once its promise is durable).</summary>
    public bool HasMajorityOf(string[] set, string self)
    {
        var promised = 0;
        foreach (var member in set)
        {
            if (Promises.ContainsKey(member) && (SelfPromiseDurable || !string.Equals(member, self, StringComparison.Ordinal)))
            {
                promised++;
            }
        }

        return promised > set.Length / 2;
    }
}
