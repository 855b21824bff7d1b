using DataCluster.Ring;

namespace DataCluster.Agent.Assignments;

/// <summary>
/// One change of what this agent holds, as sent on <c>GET /v1/assignments/watch</c>.
/// </summary>
/// <param name="Type">assigned, revoked, leader-gained or leader-lost (<see cref="AssignmentEventTypes"/>).</param>
/// <param name="Epoch">The assignment epoch the change takes effect at.</param>
/// <param name="Partitions">The partitions concerned, ascending.</param>
public sealed record AssignmentEvent(string Type, long Epoch, IReadOnlyList<int> Partitions);

/// <summary>The event types, and how a pair of snapshots becomes events.</summary>
public static class AssignmentEventTypes
{
    public const string Assigned = "assigned";
    public const string Revoked = "revoked";
    public const string LeaderGained = "leader-gained";
    public const string LeaderLost = "leader-lost";

    /// <summary>
    /// What <paramref name="member"/> must do going from <paramref name="before"/> (null = held
    /// nothing) to <paramref name="after"/>, in the order it must do it: stop leading, drop
    /// replicas, take new replicas, start leading. Giving up comes first so that, within one
    /// epoch, a member never acts on more than either snapshot gives it. Empty changes are left out.
    /// </summary>
    public static IReadOnlyList<AssignmentEvent> Between(Assignment? before, Assignment after, string member)
    {
        var diff = Assignment.Diff(before, after, member);
        var events = new List<AssignmentEvent>(4);
        Add(LeaderLost, diff.StoppedLeading);
        Add(Revoked, diff.Lost);
        Add(Assigned, diff.Gained);
        Add(LeaderGained, diff.StartedLeading);
        return events;

        void Add(string type, IReadOnlyList<int> partitions)
        {
            if (partitions.Count > 0)
            {
                events.Add(new AssignmentEvent(type, after.Epoch, partitions));
            }
        }
    }

    /// <summary>
    /// The whole current state as events from the empty snapshot: always an assigned event
    /// (possibly with no partitions, so a subscriber learns the epoch it starts from), then
    /// leader-gained when the member leads anything.
    /// </summary>
    public static IReadOnlyList<AssignmentEvent> InitialState(Assignment current, string member)
    {
        var events = Between(null, current, member);
        return events.Count > 0 && events[0].Type == Assigned
            ? events
            : [new AssignmentEvent(Assigned, current.Epoch, []), .. events];
    }
}
