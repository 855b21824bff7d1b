using System.Globalization;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Election;

/// <summary>
/// A lease in memory with the API server's optimistic concurrency (a resourceVersion that
/// changes on every write), so election logic can be tested in one process. Thread-safe.
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
            return Task.FromResult(Copy(_lease));
        }
    }

    public Task<Lease> UpdateAsync(Lease lease, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_lease is null)
            {
                throw new NotFoundException("leases.coordination.k8s.io not found");
            }

            if (lease.Metadata.ResourceVersion != _lease.Metadata.ResourceVersion)
            {
                throw new ConflictException("Operation cannot be fulfilled on leases.coordination.k8s.io: the object has been modified; please apply your changes to the latest version and try again");
            }

            _lease = Stamp(lease);
            return Task.FromResult(Copy(_lease));
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
