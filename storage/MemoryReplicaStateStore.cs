namespace DataCluster.Storage;

/// <summary>An <see cref="IReplicaStateStore"/> in memory, for simulations and tests. Survives a simulated crash: a save is durable once it returns.</summary>
public sealed class MemoryReplicaStateStore : IReplicaStateStore
{
    private readonly Dictionary<int, ReplicaState> _states = [];

    /// <summary>Number of <see cref="SaveAsync"/> calls, for tests.</summary>
    public int Saves { get; private set; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<int, ReplicaState> Load() => new Dictionary<int, ReplicaState>(_states);

    /// <inheritdoc/>
    public ValueTask SaveAsync(IReadOnlyDictionary<int, ReplicaState> changed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changed);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var (partition, state) in changed)
        {
            _states[partition] = state;
        }

        Saves++;
        return ValueTask.CompletedTask;
    }
}
