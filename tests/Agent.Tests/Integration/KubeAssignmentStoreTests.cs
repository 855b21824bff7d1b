using DataCluster.Agent.Assignments;
using DataCluster.Agent.Tests.Assignments;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Models;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Agent.Tests.Integration;

/// <summary>
/// The assignment store contract against a real API server, each test in its own namespace. In
/// the agents' collection so that it shares their API server and does not run beside them.
/// </summary>
[Collection(AgentsCollection.Name)]
public sealed class KubeAssignmentStoreTests(ControlPlaneFixture fixture) : AssignmentStoreContract, IDisposable
{
    private const string ConfigMapName = "dc-assignment";

    private KubeClient? _admin;
    private string _namespace = "";

    private KubeClient Admin => _admin ?? throw new InvalidOperationException("CreateStoreAsync first.");

    protected override async Task<IAssignmentStore> CreateStoreAsync(bool exists = true)
    {
        _namespace = await fixture.CreateNamespaceAsync("assignment-store");
        _admin = new KubeClient(KubeConfig.FromFile(fixture.KubeconfigPath));
        if (exists)
        {
            await Admin.CreateAsync(KubeResources.ConfigMaps, new ConfigMap { Metadata = new ObjectMeta { Namespace = _namespace, Name = ConfigMapName } }, Ct);
        }

        return new KubeAssignmentStore(_admin, _namespace, ConfigMapName);
    }

    protected override async Task WriteAsSomeoneElseAsync(IReadOnlyDictionary<string, string> data)
    {
        var map = await Admin.GetAsync(KubeResources.ConfigMaps, _namespace, ConfigMapName, Ct)
            ?? throw new InvalidOperationException($"ConfigMap {_namespace}/{ConfigMapName} is gone.");
        map.Data = new Dictionary<string, string>(map.Data ?? [], StringComparer.Ordinal);
        foreach (var (key, value) in data)
        {
            map.Data[key] = value;
        }

        await Admin.UpdateAsync(KubeResources.ConfigMaps, map, Ct);
    }

    protected override Task DeleteAsync() => Admin.DeleteAsync(KubeResources.ConfigMaps, _namespace, ConfigMapName, cancellationToken: Ct);

    public void Dispose() => _admin?.Dispose();
}
