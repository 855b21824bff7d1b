namespace DataCluster.Contracts;

/// <summary>API group, version and kind of the DataCluster resource.</summary>
public static class DataClusterApi
{
    public const string Group = "datacluster.dev";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
    public const string Kind = "DataCluster";
    public const string Plural = "dataclusters";
    public const string ShortName = "dc";
}
