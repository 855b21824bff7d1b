using System.Net;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;
using DataCluster.LocalCluster.ControlPlane;
using DataCluster.LocalCluster;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.E2E.Tests.Support;

/// <summary>
/// One <see cref="Cluster"/> for the whole test assembly: control plane with controllers,
/// the CRD, the operator process under its own ClusterRole, and the local node running the
/// published agent. Each test makes its own namespace and DataCluster.
/// </summary>
/// <remarks>
/// Missing envtest assets or a missing published agent fail every test under CI=true and skip
/// them elsewhere, with a message saying how to get them.
/// </remarks>
public class E2EFixture : IAsyncLifetime
{
    /// <summary>The operator's --agent-image, which the local node maps to the published agent.</summary>
    public const string AgentImage = "datacluster/agent:e2e";

    private Cluster? _cluster;
    private string? _unavailable;

    public Cluster Cluster
    {
        get
        {
            if (_cluster is null)
            {
                Assert.Skip(_unavailable ?? "The local cluster was not started.");
            }

            return _cluster;
        }
    }

    public AgentApiClient Agents { get; } = new();

    public async ValueTask InitializeAsync()
    {
        string? problem;
        if (!EnvtestAssets.TryLocate(out var assets, out problem))
        {
            problem = $"needs a real API server. {problem}";
        }
        else if (!File.Exists(RepositoryPaths.AgentBinary))
        {
            problem = $"needs the published agent {RepositoryPaths.AgentBinary}. Run 'make publish-agent' (hack/test.sh does it).";
        }

        if (assets is null || !File.Exists(RepositoryPaths.AgentBinary))
        {
            if (Prerequisite.IsCi)
            {
                throw new InvalidOperationException($"CI=true and the end-to-end tests cannot run: {problem}");
            }

            _unavailable = $"Skipped: {problem}";
            return;
        }

        // A block of its own, away from the demo's 127.0.0.10 and other runs on this machine.
        var firstPodAddress = IPAddress.Parse($"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.10");
        _cluster = await Cluster.StartAsync(
            assets,
            OperatorClusterOptions.Create(
                RepositoryPaths.CrdManifest, RepositoryPaths.OperatorAssembly, AgentImage, RepositoryPaths.AgentBinary, firstPodAddress));
    }

    public async ValueTask DisposeAsync()
    {
        Agents.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>A local cluster of its own for one test class that leaves its cluster in a state the others should not inherit.</summary>
public sealed class OwnClusterFixture : E2EFixture;
