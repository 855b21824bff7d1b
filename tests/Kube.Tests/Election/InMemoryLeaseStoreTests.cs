using DataCluster.Kube.Election;

namespace DataCluster.Kube.Tests.Election;

/// <summary>The lease store contract against the in-memory store the election's unit tests use.</summary>
public sealed class InMemoryLeaseStoreTests : LeaseStoreContract
{
    private readonly InMemoryLeaseStore _store = new();

    protected override Task<ILeaseStore> CreateStoreAsync() => Task.FromResult<ILeaseStore>(_store);

    protected override Task DeleteLeaseAsync()
    {
        _store.Delete();
        return Task.CompletedTask;
    }
}
