using DataCluster.Agent.Observability;
using DataCluster.Ring;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Assignments;

/// <summary>An assignment snapshot with what the agent serves alongside it. Immutable.</summary>
/// <param name="Assignment">The snapshot.</param>
/// <param name="Lookup">Key routing over <paramref name="Assignment"/>.</param>
/// <param name="MembershipEpoch">The ring membership epoch it was computed from, when published.</param>
/// <param name="PublishedBy">The cluster leader that published it, when known.</param>
public sealed record AssignmentView(Assignment Assignment, RingLookup Lookup, long? MembershipEpoch, string? PublishedBy);

/// <summary>
/// Every agent's copy of the published assignment: the newest snapshot it has seen in the
/// assignment ConfigMap (older or equal epochs are ignored), and the notifications of what this
/// agent gained and lost between consecutive snapshots.
/// </summary>
/// <remarks>
/// Thread-safe. <see cref="Observe"/> calls are serialized, and subscribers receive events in
/// epoch order, each epoch's events in the order of <see cref="AssignmentEventTypes.Between"/>.
/// Content it cannot use (undecodable, newer format, another partition count) never replaces
/// the snapshot: the agent keeps acting on the last good one and reports the problem.
/// </remarks>
public sealed class AssignmentState
{
    /// <summary>
    /// Events buffered per subscriber. One epoch yields at most four events, so 256 lets a client
    /// lag 64 assignments behind, far more than a healthy client ever does, while costing a few
    /// kilobytes per subscriber.
    /// </summary>
    public const int SubscriberCapacity = 256;

    private readonly string _self;
    private readonly int _partitions;
    private readonly string _configMap;
    private readonly AgentMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly AssignmentHolder _holder = new();
    private readonly List<AssignmentSubscription> _subscribers = [];
    private AssignmentView? _current;
    private long _highestEpochSeen;
    private long _observations;
    private string? _problem;
    private (AssignmentDocumentKind Kind, long Epoch, string? Problem)? _lastSeen;

    public AssignmentState(string self, int partitions, string configMap, AgentMetrics metrics, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(self);
        _self = self;
        _partitions = partitions;
        _configMap = configMap;
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>
    /// Raised, outside the lock, after an <see cref="Observe"/> that saw something new: another
    /// kind of content, a higher epoch or another problem. Must be quick.
    /// </summary>
    public event Action? Observed;

    /// <summary>This agent's member id.</summary>
    public string Self => _self;

    /// <summary>The current snapshot, or null before the first valid one.</summary>
    public AssignmentView? Current => Volatile.Read(ref _current);

    /// <summary>The highest epoch seen in the ConfigMap, valid or not (its epoch key counts).</summary>
    public long HighestEpochSeen => Interlocked.Read(ref _highestEpochSeen);

    /// <summary>How many times something new was seen in the ConfigMap (see <see cref="Observed"/>).</summary>
    public long Observations => Interlocked.Read(ref _observations);

    /// <summary>Why the ConfigMap's current content is not used, or null when it is fine.</summary>
    public string? Problem => Volatile.Read(ref _problem);

    /// <summary>
    /// Takes in the ConfigMap's data (null when it has none or was deleted). Returns what it held.
    /// A valid snapshot newer than the current one replaces it and notifies subscribers.
    /// </summary>
    public AssignmentDocument Observe(IReadOnlyDictionary<string, string>? data)
    {
        var document = AssignmentDocument.Read(data, _partitions, _configMap);
        bool changed;
        lock (_gate)
        {
            var seen = (document.Kind, document.HighestEpoch, document.Problem);
            changed = _lastSeen != seen;
            _lastSeen = seen;

            if (document.HighestEpoch > _highestEpochSeen)
            {
                Interlocked.Exchange(ref _highestEpochSeen, document.HighestEpoch);
            }

            var newProblem = document.Problem;
            if (newProblem != _problem)
            {
                Volatile.Write(ref _problem, newProblem);
                if (newProblem is not null)
                {
                    _metrics.AssignmentRejected.Inc();
                    AgentLog.AssignmentUnusable(_logger, newProblem);
                }
            }

            if (document.Assignment is { } next)
            {
                var before = _holder.Current;
                if (_holder.TryReplace(next))
                {
                    Volatile.Write(ref _current, new AssignmentView(next, new RingLookup(next), document.MembershipEpoch, document.PublishedBy));
                    UpdateMetrics(next);
                    var events = AssignmentEventTypes.Between(before, next, _self);
                    AgentLog.AssignmentLoaded(_logger, next.Epoch, next.Members.Count, next.ReplicaCountOf(_self), next.LeaderCountOf(_self), document.PublishedBy ?? "");
                    Notify(events);
                }
            }

            if (changed)
            {
                Interlocked.Increment(ref _observations);
            }
        }

        if (changed)
        {
            Observed?.Invoke();
        }

        return document;
    }

    /// <summary>
    /// Subscribes to this agent's assignment events. The subscription starts with the current
    /// state (<see cref="AssignmentEventTypes.InitialState"/>) when there is one, then carries
    /// every change.
    /// </summary>
    public AssignmentSubscription Subscribe()
    {
        var subscription = new AssignmentSubscription(SubscriberCapacity, Unsubscribe);
        lock (_gate)
        {
            if (_current is { } view)
            {
                subscription.Offer(AssignmentEventTypes.InitialState(view.Assignment, _self));
            }

            _subscribers.Add(subscription);
        }

        return subscription;
    }

    /// <summary>Ends every subscription (the agent is stopping).</summary>
    public void CompleteSubscribers()
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Complete();
            }

            _subscribers.Clear();
        }
    }

    /// <summary>Number of live subscriptions, for tests and diagnostics.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    private void Notify(IReadOnlyList<AssignmentEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        for (var i = _subscribers.Count - 1; i >= 0; i--)
        {
            if (!_subscribers[i].Offer(events))
            {
                AgentLog.SubscriberCutOff(_logger, SubscriberCapacity);
                _subscribers.RemoveAt(i);
            }
        }
    }

    private void Unsubscribe(AssignmentSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscription);
        }

        subscription.Complete();
    }

    private void UpdateMetrics(Assignment assignment)
    {
        _metrics.AssignmentEpoch.Set(assignment.Epoch);
        _metrics.Members.Set(assignment.Members.Count);
        _metrics.PartitionsHeld.Set(assignment.ReplicaCountOf(_self));
        _metrics.PartitionsLed.Set(assignment.LeaderCountOf(_self));
    }
}
