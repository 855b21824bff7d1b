using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;

namespace DataCluster.Agent.Assignments;

/// <summary>
/// The assignment ConfigMap on the API server: get and update (PUT with the resourceVersion
/// read), the only verbs the agent's Role grants on it. Thread-safe.
/// </summary>
public sealed class KubeAssignmentStore(IKubeClient client, string @namespace, string name) : IAssignmentStore
{
    private readonly Lock _gate = new();
    private ConfigMap? _lastRead;

    public string Description => $"{@namespace}/{name}";

    public async Task<StoredAssignment?> ReadAsync(CancellationToken cancellationToken)
    {
        var map = await client.GetAsync(KubeResources.ConfigMaps, @namespace, name, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _lastRead = map;
        }

        return map is null ? null : ToStored(map);
    }

    public async Task<StoredAssignment> WriteAsync(IReadOnlyDictionary<string, string> data, string resourceVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ConfigMap? read;
        lock (_gate)
        {
            read = _lastRead;
        }

        // The PUT carries the whole object, so it must be the one read at this version; anything
        // else is a stale caller, which the server would refuse the same way.
        if (read is null || read.Metadata.ResourceVersion != resourceVersion)
        {
            throw new ConflictException($"configmaps \"{name}\": the object has been modified since resourceVersion {resourceVersion} was read; read it again");
        }

        var next = KubeResources.ConfigMaps.Read(KubeResources.ConfigMaps.Serialize(read));
        next.Data = next.Data is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(next.Data, StringComparer.Ordinal);
        foreach (var (key, value) in data)
        {
            next.Data[key] = value;
        }

        var stored = await client.UpdateAsync(KubeResources.ConfigMaps, next, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _lastRead = stored;
        }

        return ToStored(stored);
    }

    /// <summary>The data of a ConfigMap as a <see cref="StoredAssignment"/>.</summary>
    public static StoredAssignment ToStored(ConfigMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return new StoredAssignment(map.Metadata.ResourceVersion ?? "", map.Data ?? new Dictionary<string, string>(StringComparer.Ordinal));
    }
}
