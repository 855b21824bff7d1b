using DataCluster.Contracts;
using DataCluster.Operator.Api;
using DataCluster.Testing;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>Waits shared by the integration tests.</summary>
internal static class Converge
{
    /// <summary>Generous: only catches hangs on a loaded two-core machine.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Waits until the cluster is Ready and every member holds replicas of the published assignment.</summary>
    public static Task<Api.DataCluster> ReadyAsync(OperatorFixture fixture, string ns, string name, int replicas) =>
        Eventually.MatchAsync(() => Clusters.GetAsync(fixture.Admin, ns, name),
            c => Clusters.Is(c, ConditionTypes.Ready, ConditionStatuses.True) && c!.Status!.ReadyMembers == replicas
                && c.Status.Members!.Count == replicas && c.Status.Members.All(m => m.Replicas > 0),
            Timeout, $"{ns}/{name} is Ready with {replicas} members holding replicas", () => fixture.OperatorLogTail)!;

    /// <summary>
    /// Waits until the operator has written nothing in <paramref name="ns"/> for <paramref name="quiet"/>:
    /// the end of convergence (the last status update after the last change).
    /// </summary>
    public static async Task QuietAsync(OperatorFixture fixture, string ns, TimeSpan quiet)
    {
        await Eventually.UntilAsync(() =>
        {
            var last = fixture.OperatorWrites(ns).Select(e => e.Time).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
            return DateTimeOffset.UtcNow - last >= quiet;
        }, Timeout, $"the operator stops writing in {ns}", () => string.Join('\n', fixture.OperatorWrites(ns).TakeLast(10)));
    }

    public static string Describe(IEnumerable<LocalCluster.ControlPlane.AuditEvent> writes) =>
        string.Join('\n', writes.Select(w => $"{w.Time:HH:mm:ss.fff} {w.Verb} {w.Resource}{(w.Subresource.Length > 0 ? "/" + w.Subresource : "")} {w.Namespace}/{w.Name} -> {w.Code}"));

    public static string Label(string name) => $"{LabelKeys.Cluster}={name}";
}
