using DataCluster.Kube.Election;
using DataCluster.Kube.Models;

namespace DataCluster.Agent.Tests.Support;

/// <summary>An <see cref="InMemoryLeaseStore"/> that counts each kind of request, as the API server's audit log would.</summary>
internal sealed class CountingLeaseStore : ILeaseStore
{
    private readonly InMemoryLeaseStore _inner = new();
    private int _gets;
    private int _updates;
    private int _creates;

    public string Description => "test/dc-member-0";

    public Lease? Current => _inner.Current;

    public int Gets => Volatile.Read(ref _gets);

    public int Updates => Volatile.Read(ref _updates);

    public int Creates => Volatile.Read(ref _creates);

    /// <summary>Runs once before the next update reaches the store: a concurrent writer.</summary>
    public Func<Task>? BeforeNextUpdate { get; set; }

    /// <summary>When set, every request fails with it (an unreachable API server).</summary>
    public Exception? Failure { get; set; }

    /// <summary>Creates the Lease as the operator would (no holder), bypassing the counters.</summary>
    public Task SeedAsync(int durationSeconds = 6) =>
        _inner.CreateAsync(new Lease { Metadata = new ObjectMeta { Name = "dc-member-0", Namespace = "test" }, Spec = new LeaseSpec { LeaseDurationSeconds = durationSeconds } }, CancellationToken.None);

    /// <summary>Writes as someone else would, bypassing the counters.</summary>
    public async Task TouchAsync()
    {
        var lease = (await _inner.GetAsync(CancellationToken.None))!;
        lease.Metadata.Annotations = new Dictionary<string, string> { ["touched"] = Guid.NewGuid().ToString() };
        await _inner.UpdateAsync(lease, CancellationToken.None);
    }

    public Task<Lease?> GetAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _gets);
        return Failure is { } failure ? Task.FromException<Lease?>(failure) : _inner.GetAsync(cancellationToken);
    }

    public Task<Lease> CreateAsync(Lease lease, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _creates);
        return _inner.CreateAsync(lease, cancellationToken);
    }

    public async Task<Lease> UpdateAsync(Lease lease, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _updates);
        if (Failure is { } failure)
        {
            throw failure;
        }

        if (BeforeNextUpdate is { } concurrent)
        {
            BeforeNextUpdate = null;
            await concurrent();
        }

        return await _inner.UpdateAsync(lease, cancellationToken);
    }
}
