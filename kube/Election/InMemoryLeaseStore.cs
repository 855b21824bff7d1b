using System.Globalization;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Election;

/// <summary>
/// A lease in memory with the API server's optimistic concurrency (a resourceVersion that
/// changes on every write, a uid given at creation that an update must match), so election
/// logic can be tested in one process. Thread-safe.
/// </summary>
public sealed class InMemoryLeaseStore : ILeaseStore
{
    private readonly Lock _gate = new();
    private Lease? _lease;
    private long _version;

    public string Description => "in-memory";

    /// <summary>A copy of the stored lease, for assertions.</summary>
    public Lease? Current
    {
        get
        {
            lock (_gate)
            {
                return _lease is null ? null : Copy(_lease);
            }
        }
    }

    public Task<Lease?> GetAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_lease is null ? null : Copy(_lease));
        }
    }

    public Task<Lease> CreateAsync(Lease lease, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_lease is not null)
            {
                throw new AlreadyExistsException("leases.coordination.k8s.io already exists");
            }

            _lease = Stamp(lease);
            _lease.Metadata.Uid = Guid.NewGuid().ToString();
            return Task.FromResult(Copy(_lease));
        }
    }

    public Task<Lease> UpdateAsync(Lease lease, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // As on the API server: the uid and the resourceVersion an update carries are its
            // preconditions, so a lease deleted (or deleted and created again) since it was read
            // fails them; an update with neither is unconditional, and creates a missing Lease.
            var uid = lease.Metadata.Uid;
            var version = lease.Metadata.ResourceVersion;
            if (_lease is null && string.IsNullOrEmpty(uid) && string.IsNullOrEmpty(version))
            {
                _lease = Stamp(lease);
                _lease.Metadata.Uid = Guid.NewGuid().ToString();
                return Task.FromResult(Copy(_lease));
            }

            if (_lease is null
                || (!string.IsNullOrEmpty(uid) && uid != _lease.Metadata.Uid)
                || (!string.IsNullOrEmpty(version) && version != _lease.Metadata.ResourceVersion))
            {
                throw new ConflictException("Operation cannot be fulfilled on leases.coordination.k8s.io: the object has been modified; please apply your changes to the latest version and try again");
            }

            uid = _lease.Metadata.Uid;
            _lease = Stamp(lease);
            _lease.Metadata.Uid = uid;
            return Task.FromResult(Copy(_lease));
        }
    }

    /// <summary>Removes the lease, as someone deleting the object would (a member Lease deleted under its holder).</summary>
    public void Delete()
    {
        lock (_gate)
        {
            _lease = null;
        }
    }

    private Lease Stamp(Lease lease)
    {
        var stored = Copy(lease);
        stored.Metadata.ResourceVersion = (++_version).ToString(CultureInfo.InvariantCulture);
        return stored;
    }

    private static Lease Copy(Lease lease) => KubeResources.Leases.Read(KubeResources.Leases.Serialize(lease));
}
