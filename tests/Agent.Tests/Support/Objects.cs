using DataCluster.Contracts;
using DataCluster.Kube.Models;

namespace DataCluster.Agent.Tests.Support;

/// <summary>Kubernetes objects shaped as the operator writes them, for unit tests.</summary>
internal static class Objects
{
    public const string Cluster = "dc";

    public static Lease MemberLease(int ordinal, string? holder, DateTimeOffset? renewTime, int durationSeconds = 6) => new()
    {
        Metadata = new ObjectMeta { Name = ObjectNames.MemberLease(Cluster, ordinal), Namespace = "test" },
        Spec = new LeaseSpec { HolderIdentity = holder, RenewTime = renewTime, LeaseDurationSeconds = durationSeconds },
    };

    /// <summary>A ring slice listing members by ordinal; <paramref name="configure"/> may adjust each endpoint.</summary>
    public static EndpointSlice RingSlice(long epoch, IEnumerable<int> ordinals, Action<int, Endpoint>? configure = null, string? drainingAnnotation = null)
    {
        var slice = new EndpointSlice
        {
            Metadata = new ObjectMeta
            {
                Name = ObjectNames.RingEndpointSlice(Cluster),
                Namespace = "test",
                Annotations = new Dictionary<string, string> { [AnnotationKeys.MembershipEpoch] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            },
            Ports = [new EndpointPort { Name = AgentPorts.ClientName, Port = 8080, Protocol = "TCP" }],
        };
        if (drainingAnnotation is not null)
        {
            slice.Metadata.Annotations[AnnotationKeys.DrainingMembers] = drainingAnnotation;
        }

        foreach (var ordinal in ordinals)
        {
            var endpoint = new Endpoint
            {
                Addresses = [$"10.0.0.{ordinal + 10}"],
                Hostname = ObjectNames.Pod(Cluster, ordinal),
                Zone = $"zone-{ordinal % 3}",
                TargetRef = new ObjectReference { Kind = "Pod", Name = ObjectNames.Pod(Cluster, ordinal), Namespace = "test" },
                Conditions = new EndpointConditions { Ready = true, Serving = true, Terminating = false },
            };
            configure?.Invoke(ordinal, endpoint);
            slice.Endpoints.Add(endpoint);
        }

        return slice;
    }
}
