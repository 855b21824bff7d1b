namespace DataCluster.Operator.Api;

/// <summary>
/// The rule that a cluster's partition count is fixed at creation, in one place: the status
/// records the count of the first valid spec, and validation refuses any later spec that
/// differs from it (changing it would move every key).
/// </summary>
public static class FixedPartitions
{
    /// <summary>
    /// The partition count status should carry: the one already recorded, else the spec's when the
    /// spec is valid (an invalid spec never records its value), else none.
    /// </summary>
    public static int? Record(DataClusterStatus? previous, DataClusterSpec spec, bool valid)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return previous?.Partitions ?? (valid ? spec.Partitions : null);
    }

    /// <summary>The problem when <paramref name="spec"/> asks for another count than the one recorded in <paramref name="status"/>; null otherwise.</summary>
    public static ValidationProblem? Check(DataClusterStatus? status, DataClusterSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return status?.Partitions is { } recorded && recorded != spec.Partitions
            ? new ValidationProblem("spec.partitions", $"spec.partitions was changed from {recorded} to {spec.Partitions}, but the partition count is fixed at creation because changing it would move every key: set spec.partitions back to {recorded} (to change it, create a new DataCluster and move the data).")
            : null;
    }
}
