using DataCluster.Kube.Models;

namespace DataCluster.Kube.Election;

/// <summary>
/// Where the election's Lease lives. Thread-safe; asynchronous. Returned leases are the
/// caller's to modify (never shared with the store).
/// </summary>
public interface ILeaseStore
{
    /// <summary>Human-readable name for logs, e.g. "ns/name".</summary>
    string Description { get; }

    /// <summary>The lease, or null when it does not exist.</summary>
    Task<Lease?> GetAsync(CancellationToken cancellationToken);

    /// <summary>Creates the lease; throws <see cref="Errors.AlreadyExistsException"/> if another candidate was first.</summary>
    Task<Lease> CreateAsync(Lease lease, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the lease if it is still at <c>lease.Metadata.ResourceVersion</c>; throws
    /// <see cref="Errors.ConflictException"/> otherwise, including when the lease read was
    /// deleted since (its uid is a precondition of the update). A lease with neither uid nor
    /// resourceVersion is written unconditionally, and created if missing.
    /// </summary>
    Task<Lease> UpdateAsync(Lease lease, CancellationToken cancellationToken);
}
