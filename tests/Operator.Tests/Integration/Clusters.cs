using System.Text.Json;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>DataClusters for integration tests.</summary>
internal static class Clusters
{
    /// <summary>A DataCluster in <paramref name="ns"/>; <paramref name="configure"/> adjusts the spec.</summary>
    public static Api.DataCluster New(string ns, string name, Action<DataClusterSpec>? configure = null)
    {
        var cluster = new Api.DataCluster { Metadata = new ObjectMeta { Name = name, Namespace = ns } };
        configure?.Invoke(cluster.Spec);
        return cluster;
    }

    /// <summary>A sample from crds/samples, placed in <paramref name="ns"/>.</summary>
    public static Api.DataCluster FromSample(string file, string ns)
    {
        var cluster = Yaml.ToJson(RepositoryFiles.Read($"crds/samples/{file}"))!.Deserialize(OperatorJsonContext.Default.DataCluster)!;
        cluster.Metadata.Namespace = ns;
        return cluster;
    }

    public static Task<Api.DataCluster> CreateAsync(KubeClient client, Api.DataCluster cluster) =>
        client.CreateAsync(DataClusterResource.Type, cluster, TestContext.Current.CancellationToken);

    public static Task<Api.DataCluster?> GetAsync(KubeClient client, string ns, string name) =>
        client.GetAsync(DataClusterResource.Tolerant, ns, name, TestContext.Current.CancellationToken);

    public static Condition? Condition(Api.DataCluster? cluster, string type) => Conditions.Find(cluster?.Status?.Conditions, type);

    public static bool Is(Api.DataCluster? cluster, string type, string status) => Condition(cluster, type)?.Status == status;

    /// <summary>Changes the spec with a JSON merge patch (only the fields given).</summary>
    public static Task<Api.DataCluster> PatchSpecAsync(KubeClient client, string ns, string name, System.Text.Json.Nodes.JsonObject spec) =>
        client.MergePatchAsync(DataClusterResource.Type, ns, name, new System.Text.Json.Nodes.JsonObject { ["spec"] = spec }, TestContext.Current.CancellationToken);
}
