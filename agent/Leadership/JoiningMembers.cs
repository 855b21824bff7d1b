using DataCluster.Ring;

namespace DataCluster.Agent.Leadership;

/// <summary>
/// The cluster leader's record of which members have just come back: a member this leader saw
/// before, that left (drained or disappeared) and returns while the published assignment places
/// nothing on it, is <see cref="MemberState.Joining"/> from its return until <see cref="Settle"/>
/// has passed, so the assignment gives it replicas at once and leaderships only afterwards (make
/// before break for leadership). While a member joins, draining members count as active: their
/// drain waits until it has settled.
/// </summary>
/// <remarks>
/// <para>
/// Why: a member that comes back from a restart (a rolling update, a crash) has no peer streams
/// yet and a copy that is behind. A term it led at once would refuse writes (<c>503 syncing</c>)
/// until its peers' streams to it are up and it has fetched what it missed, and a member that is
/// stopped next could leave such a term waiting for its own promise. As a joining follower it
/// gets both done while the partitions' current leaders keep taking writes.
/// </para>
/// <para>
/// Members this leader has never seen (a forming cluster, a scale-up) lead at once, as before:
/// they arrive over several epochs, and letting each settle in turn only adds leadership moves
/// right into whatever the cluster does next. A leader that takes over keeps no history, so a
/// member it never saw before it returned leads at once too. Not thread-safe: the leader's loop
/// is its only caller.
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

    // Every member id this leader has seen, in any state: a return is a member seen before.
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>How long a member stays joining.</summary>
    public TimeSpan Settle { get; } = settle > TimeSpan.Zero
        ? settle
        : throw new ArgumentOutOfRangeException(nameof(settle), settle, "the settle time must be positive");

    /// <summary>
    /// <paramref name="members"/> with the active ones that have just joined marked
    /// <see cref="MemberState.Joining"/>, in the same order.
    /// </summary>
    /// <param name="members">The membership just computed.</param>
    /// <param name="published">The assignment in force, or null before the first.</param>
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
                _seen.Add(member.Id);
                _members.Remove(member.Id);
                marked.Add(member);
                continue;
            }

            present.Add(member.Id);
            if (!_members.TryGetValue(member.Id, out var since))
            {
                var returned = _seen.Contains(member.Id) && published is { IsEmpty: false } && published.ReplicaCountOf(member.Id) == 0;
                since = returned ? now : null;
                _members[member.Id] = since;
                _seen.Add(member.Id);
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
