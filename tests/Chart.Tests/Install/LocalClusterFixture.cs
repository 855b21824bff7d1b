using System.Net;
using System.Text.Json.Nodes;
using DataCluster.Chart.Tests.Support;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.LocalCluster;
using DataCluster.LocalCluster.ControlPlane;
using DataCluster.LocalCluster.LocalNode;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Chart.Tests.Install;

/// <summary>
/// A cluster for installing the chart: etcd, kube-apiserver and kube-controller-manager (with
/// the Deployment, StatefulSet, garbage-collector and token controllers) and a local node that
/// runs both DataCluster images from this checkout: the operator image of values.yaml (any tag)
/// as the published operator, the agent image as the published agent. No CRD and no operator:
/// the chart brings both.
/// </summary>
/// <remarks>
/// Missing envtest assets or published binaries fail the test under CI=true and skip it
/// elsewhere, with a message saying how to get them.
/// </remarks>
public sealed class LocalClusterFixture : IAsyncLifetime
{
    /// <summary>The pods the local node runs: DataCluster members and the chart's operator pods.</summary>
    private static readonly string PodSelector = $"{Contracts.LabelKeys.Name} in ({Contracts.LabelKeys.AppName},{Contracts.LabelKeys.OperatorName})";

    private LocalControlPlane? _plane;
    private LocalNode? _node;
    private KubeClient? _admin;
    private string? _unavailable;

    public LocalControlPlane Plane => Require(_plane);

    public LocalNode Node => Require(_node);

    public AgentApiClient Agents { get; } = new();

    /// <summary>The operator image's repository in values.yaml, which the node runs as the published operator whatever the tag.</summary>
    public static string OperatorRepository => (string)ChartFacts.Values["image"]!["repository"]!;

    /// <summary>The agent image's repository in values.yaml (the operator's --agent-image), run as the published agent.</summary>
    public static string AgentRepository => (string)ChartFacts.Values["agent"]!["image"]!["repository"]!;

    /// <summary>GET of one object as the API server returns it; null when it does not exist.</summary>
    public async Task<JsonObject?> GetAsync(string path)
    {
        using var response = await Plane.Http.GetAsync(new Uri(Plane.Server, path), TestContext.Current.CancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>The items of a list.</summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(string path) =>
        [.. ((await GetAsync(path))?["items"]?.AsArray() ?? []).Select(i => i!.AsObject())];

    public async ValueTask InitializeAsync()
    {
        var root = RepositoryLayout.Root();
        var agent = RepositoryLayout.AgentBinary(root);
        var @operator = RepositoryLayout.OperatorBinary(root);
        string? problem = null;
        if (!EnvtestAssets.TryLocate(out var assets, out var missing))
        {
            problem = $"needs a real API server. {missing}";
        }
        else if (!File.Exists(agent))
        {
            problem = $"needs the published agent {agent} ({RepositoryLayout.AgentBinaryVariable}). Run 'make artifacts/agent/datacluster-agent'.";
        }
        else if (!File.Exists(@operator))
        {
            problem = $"needs the published operator {@operator} ({RepositoryLayout.OperatorBinaryVariable}). Run 'make artifacts/operator/datacluster-operator'.";
        }

        if (problem is not null)
        {
            if (Prerequisite.IsCi)
            {
                throw new InvalidOperationException($"CI=true and the chart cannot be installed on a local cluster: {problem}");
            }

            _unavailable = $"Skipped: {problem}";
            return;
        }

        _plane = await LocalControlPlane.StartAsync(assets!, withControllers: true);
        _admin = new KubeClient(KubeConfig.FromFile(_plane.KubeconfigPath));
        _node = await LocalNode.StartAsync(
            _admin,
            new LocalNodeOptions
            {
                ApiServer = _plane.Server,
                CertificateAuthorityPem = _plane.Pki.CaCertPem,
                PodSelector = PodSelector,
                // A block of its own, away from the demo's 127.0.0.10 and other runs on this machine.
                FirstPodAddress = IPAddress.Parse($"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.10"),
                Images = LocalImages.Map(AgentRepository, agent, OperatorRepository, @operator),
            });
    }

    public async ValueTask DisposeAsync()
    {
        Agents.Dispose();
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        _admin?.Dispose();
        if (_plane is not null)
        {
            await _plane.DisposeAsync();
        }
    }

    private T Require<T>(T? value)
        where T : class
    {
        if (value is null)
        {
            Assert.Skip(_unavailable ?? "The local cluster was not started.");
        }

        return value;
    }
}
