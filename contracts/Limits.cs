using DataCluster.Ring;

namespace DataCluster.Contracts;

/// <summary>
/// Every limit and default of a DataCluster and its agents, each written once. The CRD schema
/// (attributes on the API types), the operator's validation and status, the agent's
/// configuration reader and its <c>--help</c> table, and the ring all use these; the ring owns
/// the partition and replication-factor rules (<see cref="AssignmentSettings"/>), so those are
/// taken from there. A test checks that the CRD, the validation messages and the help table agree.
/// </summary>
public static class Limits
{
    /// <summary>The partition count: fixed when the cluster is created.</summary>
    public static class Partitions
    {
        public const int Min = AssignmentSettings.MinPartitions;
        public const int Max = AssignmentSettings.MaxPartitions;

        /// <summary>
        /// 256 partitions keep the balance target (at least 16 partitions per member) up to 16
        /// members, while the per-partition logs and leader bookkeeping stay small.
        /// </summary>
        public const int Default = 256;
    }

    /// <summary>Replicas per partition, the leader included.</summary>
    public static class ReplicationFactor
    {
        public const int Min = AssignmentSettings.MinReplicationFactor;
        public const int Max = AssignmentSettings.MaxReplicationFactor;

        /// <summary>Three replicas: a majority (two) still commits with one replica down.</summary>
        public const int Default = 3;
    }

    /// <summary>Replicas placed in other zones or regions: at most all but the leader's.</summary>
    public static class PlacedReplicas
    {
        public const int Min = 0;
        public const int Max = ReplicationFactor.Max - 1;
    }

    /// <summary>How long a member Lease stays valid without renewal.</summary>
    public static class LeaseDurationSeconds
    {
        /// <summary>Below two seconds a renewal delayed by one API-server round trip would expire a healthy member.</summary>
        public const int Min = 2;

        /// <summary>Five minutes: beyond that a crashed member's partitions would wait too long to move.</summary>
        public const int Max = 300;

        /// <summary>
        /// Six seconds: a killed member is noticed within six seconds (the failover target is the
        /// lease duration plus one second), while a renewal may be late by up to two intervals
        /// without a false failover.
        /// </summary>
        public const int Default = 6;
    }

    /// <summary>How often an agent renews its member Lease; always below the lease duration.</summary>
    public static class RenewIntervalSeconds
    {
        public const int Min = 1;

        /// <summary>A minute: longer intervals would need leases longer than the maximum allows a renewal to miss.</summary>
        public const int Max = 60;

        /// <summary>A third of the default lease duration, so two consecutive renewals can fail before the Lease expires.</summary>
        public const int Default = 2;
    }

    /// <summary>TCP ports.</summary>
    public static class Port
    {
        public const int Min = 1;
        public const int Max = 65535;
    }

    /// <summary>An event's key: the entity it is about.</summary>
    public static class KeyBytes
    {
        /// <summary>A key names an entity; an empty one names nothing.</summary>
        public const int Min = 1;

        /// <summary>
        /// The longest key, in UTF-8 bytes. Keys name entities (server ids, account ids); 1 KiB
        /// is far beyond any real one while keeping a request's work and logs small.
        /// </summary>
        public const int Max = 1024;
    }

    /// <summary>The largest event body an agent accepts, in bytes.</summary>
    public static class MaxEventBytes
    {
        public const int Min = 1;

        /// <summary>16 MiB: an event is one entity's change, and bigger ones would stall a partition's replication stream.</summary>
        public const int Max = 16 * 1024 * 1024;

        /// <summary>1 MiB, as common message brokers default to.</summary>
        public const int Default = 1024 * 1024;
    }

    /// <summary>Under the interval fsync policy, the longest time between fsyncs, in milliseconds.</summary>
    public static class FsyncIntervalMs
    {
        public const int Min = 1;

        /// <summary>Ten seconds: longer would leave minutes of acknowledged writes exposed to a power loss.</summary>
        public const int Max = 10_000;

        /// <summary>100 ms: at most a tenth of a second of acknowledged writes is exposed to a power loss.</summary>
        public const int Default = 100;
    }

    /// <summary>How long a write may wait for its commit level, in milliseconds.</summary>
    public static class WriteTimeoutMs
    {
        /// <summary>Below 100 ms a single fsync on a busy disk would time writes out.</summary>
        public const int Min = 100;

        public const int Max = 600_000;

        /// <summary>10 s: above a failover (lease duration plus a sync) with the default lease.</summary>
        public const int Default = 10_000;
    }

    /// <summary>
    /// How long a stopping agent (SIGTERM) may spend handing its partition leaderships to other
    /// members before it stops anyway; 0 stops at once, as a crash would (the Leases lapse).
    /// </summary>
    public static class ShutdownGraceSeconds
    {
        public const int Min = 0;

        /// <summary>
        /// 90 s: with <see cref="HostStopSeconds"/> after it, the longest stop stays under the
        /// 120 s terminationGracePeriodSeconds the operator gives member pods, so the kubelet's
        /// SIGKILL never cuts a handoff short.
        /// </summary>
        public const int Max = 90;

        /// <summary>
        /// 30 s: a handoff takes about a second (one Lease write, the cluster leader's debounce and
        /// publish, each new leader's sync); the rest covers a slow API server without keeping a
        /// rolling update waiting long on a member whose successors never appear.
        /// </summary>
        public const int Default = 30;

        /// <summary>
        /// After the handoff, the agent's host gets this long to release the leader Lease and close
        /// its streams and servers before the process exits anyway.
        /// </summary>
        public const int HostStopSeconds = 10;
    }

    /// <summary>How long records are kept, in hours; 0 keeps them until the size limit removes them.</summary>
    public static class RetentionHours
    {
        public const int Min = 0;

        public const int Max = 87_600;

        /// <summary>A week, long enough for an app that was down over a weekend to catch up.</summary>
        public const int Default = 168;
    }

    /// <summary>Per partition, the log bytes kept before the oldest segments are removed; 0 sets no size limit.</summary>
    public static class RetentionBytes
    {
        public const long Min = 0;

        public const long Max = long.MaxValue / 2;

        /// <summary>No size limit unless the operator derives one from the volume size.</summary>
        public const long Default = 0;
    }

    /// <summary>"integer MIN-MAX", as help texts and messages state a range.</summary>
    public static string Range(int min, int max) => FormattableString.Invariant($"integer {min}-{max}");
}

/// <summary>
/// How many replicas must have a write before it is acknowledged: the names used in the
/// DataCluster spec, the agent's environment and the write API.
/// </summary>
public static class CommitLevels
{
    /// <summary>The partition leader has it durably.</summary>
    public const string One = "One";

    /// <summary>A majority of the partition's replica set has it durably.</summary>
    public const string Quorum = "Quorum";

    /// <summary>Every replica of the partition has it durably.</summary>
    public const string All = "All";

    /// <summary>QUORUM: a write survives the loss of any minority of its replicas.</summary>
    public const string Default = Quorum;

    /// <summary>The accepted names, weakest first.</summary>
    public static readonly IReadOnlyList<string> Values = [One, Quorum, All];

    /// <summary>The accepted names for help texts and messages.</summary>
    public const string Accepted = One + ", " + Quorum + " or " + All;
}
