namespace DataCluster.Kube.Discovery;

/// <summary>The API server serves none of the versions a kind can be exchanged in.</summary>
public sealed class ResourceNotServedException(string message) : Exception(message);
