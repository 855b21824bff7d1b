namespace DataCluster.Agent.Assignments;

/// <summary>The assignment ConfigMap's data at one resourceVersion.</summary>
/// <param name="ResourceVersion">The version to make a conditional write against.</param>
/// <param name="Data">The ConfigMap's data; empty when it has none.</param>
public sealed record StoredAssignment(string ResourceVersion, IReadOnlyDictionary<string, string> Data);

/// <summary>
/// Where the published assignment lives: the ConfigMap NAME-assignment, which the operator
/// pre-creates and the cluster leader writes. Implementations: <see cref="KubeAssignmentStore"/>
/// and, in tests, an in-memory store with the same optimistic concurrency.
/// </summary>
/// <remarks>Thread-safe; asynchronous; no call blocks a thread.</remarks>
public interface IAssignmentStore
{
    /// <summary>For log messages, e.g. "ns/orders-assignment".</summary>
    string Description { get; }

    /// <summary>The current data, or null when the ConfigMap does not exist.</summary>
    Task<StoredAssignment?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Sets <paramref name="data"/>'s keys (other keys are kept) if the ConfigMap is still at
    /// <paramref name="resourceVersion"/>; returns what was stored. Throws
    /// <see cref="Kube.Errors.ConflictException"/> when it changed since, and also when it was
    /// deleted since: the write carries the uid and version read, and the API server answers a
    /// failed precondition, not a missing object. The caller reads again either way.
    /// </summary>
    Task<StoredAssignment> WriteAsync(IReadOnlyDictionary<string, string> data, string resourceVersion, CancellationToken cancellationToken);
}
