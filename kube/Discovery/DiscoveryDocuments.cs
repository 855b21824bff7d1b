using System.Text.Json.Serialization;

namespace DataCluster.Kube.Discovery;

/// <summary>GET /api: the versions of the core group.</summary>
internal sealed class ApiVersions
{
    [JsonPropertyName("versions")] public List<string> Versions { get; set; } = [];
}

/// <summary>GET /apis: every named group and its served versions.</summary>
internal sealed class ApiGroupList
{
    [JsonPropertyName("groups")] public List<ApiGroup> Groups { get; set; } = [];
}

internal sealed class ApiGroup
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("versions")] public List<GroupVersionForDiscovery> Versions { get; set; } = [];
    [JsonPropertyName("preferredVersion")] public GroupVersionForDiscovery? PreferredVersion { get; set; }
}

internal sealed class GroupVersionForDiscovery
{
    [JsonPropertyName("groupVersion")] public string GroupVersion { get; set; } = "";
    [JsonPropertyName("version")] public string Version { get; set; } = "";
}

/// <summary>GET /apis/GROUP/VERSION (or /api/v1): the resources of one group version.</summary>
internal sealed class ApiResourceList
{
    [JsonPropertyName("groupVersion")] public string GroupVersion { get; set; } = "";
    [JsonPropertyName("resources")] public List<ApiResource> Resources { get; set; } = [];
}

internal sealed class ApiResource
{
    /// <summary>The plural, or "plural/subresource".</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("namespaced")] public bool Namespaced { get; set; }
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("verbs")] public List<string> Verbs { get; set; } = [];
}
