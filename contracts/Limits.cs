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
