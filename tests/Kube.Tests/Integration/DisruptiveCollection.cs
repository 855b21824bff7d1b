namespace DataCluster.Kube.Tests.Integration;

/// <summary>
/// Tests that compact etcd or restart the API server. They run alone, after the parallel
/// tests, so they disturb no one else's requests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DisruptiveCollection
{
    public const string Name = "Disruptive: compaction and API server restarts";
}
