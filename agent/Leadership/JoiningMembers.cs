using DataCluster.Ring;

namespace DataCluster.Agent.Leadership;

/// <summary>
/// The cluster leader's record of which members have just joined: a member that holds no replica
/// in the published assignment is <see cref="MemberState.Joining"/> from the moment the leader
/// first sees it until <see cref="Settle"/> has passed, so the assignment gives it replicas at
/// once and leaderships only afterwards (make before break for leadership). While a member joins,
/// draining members count as active: their drain waits until it has settled.
/// </summary>
/// <remarks>
/// <para>
/// Why: a member that comes back from a restart (a rolling update) or is added has no peer
/// streams yet and a copy that is behind. A term it led at once would refuse writes (<c>503
/// syncing</c>) until its peers' streams to it are up and it has fetched what it missed. As a
/// joining follower it gets both done while the partitions' current leaders keep taking writes.
/// </para>
/// <para>
/// A leader that takes over keeps no history: members the published assignment already places
/// count as settled, the others start joining when it first sees them. Not thread-safe: the
/// leader's loop is its only caller.
/// </para>
/// </remarks>
public sealed class JoiningMembers(TimeProvider time, TimeSpan settle)
{
    /// <summary>
    /// How long a member stays joining. 2 s: its peers redial it as soon as it opens its own
    /// streams (milliseconds), its partitions' leaders resend what it missed within a retransmit
    /// interval (500 ms), and a shared or loaded machine needs room beyond both. Meanwhile its
    /// partitions are led by members that already serve them, so the wait costs leader balance for
    /// two seconds, not availability.
    /// </summary>
    public static readonly TimeSpan DefaultSettle = TimeSpan.FromSeconds(2);

    // Per member seen active: when it started joining, or null once it has settled. A member
    // that leaves the membership or drains is forgotten, so it joins again when it returns; one
    // that has settled stays settled even if the assignment places nothing on it (more members
    // than replicas), or it would join again and again.
    private readonly Dictionary<string, long?> _members = new(StringComparer.Ordinal);

    /// <summary>How long a member stays joining.</summary>
    public TimeSpan Settle { get; } = settle > TimeSpan.Zero
        ? settle
        : throw new ArgumentOutOfRangeException(nameof(settle), settle, "the settle time must be positive");

    /// <summary>
    /// <paramref name="members"/> with the active ones that have just joined marked
    /// <see cref="MemberState.Joining"/>, in the same order.
    /// </summary>
    /// <param name="members">The membership just computed.</param>
    /// <param name="published">The assignment in force; null, empty or the first one while the cluster forms, whose members join at once.</param>
    public IReadOnlyList<Member> Mark(IReadOnlyList<Member> members, Assignment? published)
    {
        ArgumentNullException.ThrowIfNull(members);
        var now = time.GetTimestamp();
        var marked = new List<Member>(members.Count);
        var present = new HashSet<string>(StringComparer.Ordinal);
        var anyJoining = false;
        foreach (var member in members)
        {
            if (member.State != MemberState.Active)
            {
                _members.Remove(member.Id);
                marked.Add(member);
                continue;
            }

            present.Add(member.Id);
            if (!_members.TryGetValue(member.Id, out var since))
            {
                var placed = Forming(published) || published!.ReplicaCountOf(member.Id) > 0;
                since = placed ? null : now;
                _members[member.Id] = since;
            }

            if (since is { } started && time.GetElapsedTime(started, now) < Settle)
            {
                anyJoining = true;
                marked.Add(member with { State = MemberState.Joining });
            }
            else
            {
                _members[member.Id] = null;
                marked.Add(member);
            }
        }

        foreach (var id in _members.Keys.Where(id => !present.Contains(id)).ToList())
        {
            _members.Remove(id);
        }

        // A drain waits for the joining members to settle: the drained member's leaderships
        // would otherwise go only to the members that have not just joined, and the new terms
        // need the promises of the joining ones, whose streams may not be up yet. The draining
        // member keeps serving meanwhile (its stop waits for the assignment that drains it).
        if (anyJoining)
        {
            for (var i = 0; i < marked.Count; i++)
            {
                if (marked[i].State == MemberState.Draining)
                {
                    marked[i] = marked[i] with { State = MemberState.Active };
                }
            }
        }

        return marked;
    }

    /// <summary>
    /// A cluster that is forming: no assignment yet, or only the first one, which the leader
    /// published for the members whose Leases it saw first. Its members start within moments of
    /// each other and hold nothing to catch up, so they join at once; making them wait would only
    /// move their leaderships later, into whatever the cluster does next.
    /// </summary>
    private static bool Forming(Assignment? published) =>
        published is null || published.IsEmpty || published.Epoch <= 1;

    /// <summary>Time until the next joining member settles (a membership change to act on); null when none is joining.</summary>
    public TimeSpan? UntilNextSettled()
    {
        var now = time.GetTimestamp();
        TimeSpan? next = null;
        foreach (var since in _members.Values)
        {
            if (since is { } started)
            {
                var left = Settle - time.GetElapsedTime(started, now);
                next = next is null || left < next ? left : next;
            }
        }

        return next is { } n && n < TimeSpan.Zero ? TimeSpan.Zero : next;
    }
}
