using DataCluster.Agent.Assignments;
using DataCluster.Agent.Tests.Support;

namespace DataCluster.Agent.Tests.Assignments;

/// <summary>The assignment store contract against the in-memory store the agent's unit tests use.</summary>
public sealed class InMemoryAssignmentStoreTests : AssignmentStoreContract
{
    private InMemoryAssignmentStore? _store;

    protected override Task<IAssignmentStore> CreateStoreAsync(bool exists = true)
    {
        _store = new InMemoryAssignmentStore(exists);
        return Task.FromResult<IAssignmentStore>(_store);
    }

    protected override Task WriteAsSomeoneElseAsync(IReadOnlyDictionary<string, string> data)
    {
        _store!.Set(data);
        return Task.CompletedTask;
    }

    protected override Task DeleteAsync()
    {
        _store!.Delete();
        return Task.CompletedTask;
    }
}
