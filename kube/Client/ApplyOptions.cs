namespace DataCluster.Kube.Client;

/// <summary>Server-side apply parameters.</summary>
/// <param name="FieldManager">The owner of the applied fields, e.g. "datacluster-operator". Required by the server.</param>
/// <param name="Force">Take ownership of fields another manager owns instead of failing with a conflict.</param>
public sealed record ApplyOptions(string FieldManager, bool Force = false);
