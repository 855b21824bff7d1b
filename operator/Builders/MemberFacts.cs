namespace DataCluster.Operator.Builders;

/// <summary>
/// What the reconciler observed about one member: its pod, the pod's node and the member's
/// heartbeat Lease. Input of <see cref="RingEndpointSliceBuilder"/> and <see cref="StatusBuilder"/>.
/// </summary>
/// <param name="PodName">The pod's name, NAME-ORDINAL; also the member's identity in the ring.</param>
/// <param name="Ordinal">The StatefulSet ordinal.</param>
/// <param name="PodUid">The pod's metadata.uid; a recreated pod is a different member incarnation.</param>
/// <param name="PodIp">status.podIP; null while the pod has none (such members are left out of the ring).</param>
/// <param name="NodeName">spec.nodeName, null before scheduling.</param>
/// <param name="Zone">The value of the node's zone label (spec.topology.zoneLabel), null when unknown.</param>
/// <param name="PodReady">The pod's Ready condition is True.</param>
/// <param name="LeaseRenewTime">
/// The member Lease's renewTime, null when never renewed. The reconciler may pass the time it
/// observed the renewal instead, which makes freshness immune to clock skew between nodes.
/// </param>
/// <param name="LeaseDurationSeconds">The Lease's leaseDurationSeconds; spec.agent.leaseDurationSeconds when null.</param>
/// <param name="Draining">The member is being removed: it must lead nothing and its replicas move away.</param>
public sealed record MemberFacts(
    string PodName,
    int Ordinal,
    string PodUid,
    string? PodIp,
    string? NodeName,
    string? Zone,
    bool PodReady,
    DateTimeOffset? LeaseRenewTime,
    int? LeaseDurationSeconds,
    bool Draining)
{
    /// <summary>The value of the node's region label (spec.topology.regionLabel), null when unknown.</summary>
    public string? Region { get; init; }

    /// <summary>
    /// The renewTime the member wrote into its Lease, when <see cref="LeaseRenewTime"/> holds the
    /// time the operator observed the renewal instead. Status shows this one (it does not depend
    /// on when an operator happened to look); freshness uses <see cref="LeaseRenewTime"/>.
    /// </summary>
    public DateTimeOffset? ReportedRenewTime { get; init; }

    /// <summary>
    /// The Lease was renewed less than its duration before <paramref name="now"/>. A renew time
    /// in the future (clock skew) counts as fresh.
    /// </summary>
    public bool LeaseFresh(DateTimeOffset now, int defaultLeaseDurationSeconds) =>
        LeaseExpiry(defaultLeaseDurationSeconds) is { } expiry && now < expiry;

    /// <summary>When the Lease goes stale unless renewed; null when it was never renewed.</summary>
    public DateTimeOffset? LeaseExpiry(int defaultLeaseDurationSeconds) =>
        LeaseRenewTime?.AddSeconds(LeaseDurationSeconds ?? defaultLeaseDurationSeconds);

    /// <summary>Ready for the ring and for status: the pod is ready and its Lease fresh.</summary>
    public bool Live(DateTimeOffset now, int defaultLeaseDurationSeconds) =>
        PodReady && LeaseFresh(now, defaultLeaseDurationSeconds);
}
