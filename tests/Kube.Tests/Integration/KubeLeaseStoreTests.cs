using DataCluster.Kube.Client;
using DataCluster.Kube.Election;
using DataCluster.Kube.Tests.Election;
using DataCluster.Testing;
using static DataCluster.Kube.Tests.Integration.Api;

namespace DataCluster.Kube.Tests.Integration;

/// <summary>The lease store contract against a real API server, each test in its own namespace.</summary>
public sealed class KubeLeaseStoreTests(ControlPlaneFixture fixture) : LeaseStoreContract, IDisposable
{
    private const string LeaseName = "contract";

    private KubeClient? _client;
    private string _namespace = "";

    protected override async Task<ILeaseStore> CreateStoreAsync()
    {
        _namespace = await fixture.CreateNamespaceAsync("lease-store");
        _client = Admin(fixture);
        return new KubeLeaseStore(_client, _namespace, LeaseName);
    }

    protected override Task DeleteLeaseAsync() => _client!.DeleteAsync(KubeResources.Leases, _namespace, LeaseName, cancellationToken: Ct);

    public void Dispose() => _client?.Dispose();
}
