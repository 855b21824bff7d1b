using System.Text.Json.Nodes;
using DataCluster.Kube.Models;
using Xunit;

namespace DataCluster.Kube.Tests.Models;

/// <summary>Objects as the API server sends them read into the models and write back unchanged.</summary>
public sealed class ServerSampleTests
{
    public static TheoryData<string> Samples => ["StatefulSet", "Pod", "Node", "Service", "Event", "SeriesEvent", "PodDisruptionBudgetV1Beta1"];

    [Theory]
    [MemberData(nameof(Samples))]
    public void Server_object_writes_back_as_read_except_for_explicit_nulls(string sample)
    {
        var (json, roundTrip) = sample switch
        {
            "StatefulSet" => (ServerSamples.StatefulSet, RoundTrip(KubeResources.StatefulSets, ServerSamples.StatefulSet)),
            "Pod" => (ServerSamples.Pod, RoundTrip(KubeResources.Pods, ServerSamples.Pod)),
            "Node" => (ServerSamples.Node, RoundTrip(KubeResources.Nodes, ServerSamples.Node)),
            "Service" => (ServerSamples.Service, RoundTrip(KubeResources.Services, ServerSamples.Service)),
            "Event" => (ServerSamples.Event, RoundTrip(KubeResources.Events, ServerSamples.Event)),
            "SeriesEvent" => (ServerSamples.SeriesEvent, RoundTrip(KubeResources.Events, ServerSamples.SeriesEvent)),
            "PodDisruptionBudgetV1Beta1" => (ServerSamples.PodDisruptionBudgetV1Beta1,
                RoundTrip(KubeResources.PodDisruptionBudgets.WithVersion("v1beta1"), ServerSamples.PodDisruptionBudgetV1Beta1)),
            _ => throw new ArgumentOutOfRangeException(nameof(sample)),
        };

        Json.Equal(Json.WithoutNulls(Json.Node(json)), roundTrip);
    }

    [Fact]
    public void StatefulSet_from_the_server_exposes_spec_template_claims_and_status()
    {
        var set = Json.Read(KubeResources.StatefulSets, ServerSamples.StatefulSet);

        Assert.Equal("orders", set.Metadata.Name);
        Assert.Equal(3, set.Metadata.Generation);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 15, 30, TimeSpan.Zero), set.Metadata.CreationTimestamp);
        Assert.True(set.Metadata.OwnerReferences![0].Controller);
        Assert.True(set.Metadata.ExtensionData!.ContainsKey("managedFields"));

        Assert.Equal(3, set.Spec.Replicas);
        Assert.Equal("orders-peers", set.Spec.ServiceName);
        Assert.Equal("Parallel", set.Spec.PodManagementPolicy);
        Assert.Equal(0, set.Spec.UpdateStrategy!.RollingUpdate!.Partition);
        Assert.Null(set.Spec.Template.Metadata.CreationTimestamp);

        var agent = Assert.Single(set.Spec.Template.Spec.Containers);
        Assert.Equal("250m", agent.Resources!.Requests!["cpu"]);
        Assert.Equal("client", agent.ReadinessProbe!.HttpGet!.Port.StringValue);
        Assert.Equal(7400, agent.Lifecycle!.PreStop!.HttpGet!.Port.IntValue);
        Assert.Equal("metadata.name", agent.Env![0].ValueFrom!.FieldRef!.FieldPath);
        Assert.Equal("0", agent.Env[1].ValueFrom!.ResourceFieldRef!.Divisor);
        Assert.Equal("token", agent.Env[2].ValueFrom!.SecretKeyRef!.Key);
        Assert.Equal(["ALL"], agent.SecurityContext!.Capabilities!.Drop!);
        Assert.Equal("RuntimeDefault", set.Spec.Template.Spec.SecurityContext!.SeccompProfile!.Type);
        Assert.Equal(10001, set.Spec.Template.Spec.SecurityContext.FsGroup);
        // serviceAccount is the deprecated alias of serviceAccountName; it is kept, not modelled.
        Assert.True(set.Spec.Template.Spec.ExtensionData!.ContainsKey("serviceAccount"));

        var claim = Assert.Single(set.Spec.VolumeClaimTemplates!);
        Assert.Equal("data", claim.Metadata.Name);
        Assert.Equal("1Gi", claim.Spec.Resources!.Requests!["storage"]);
        Assert.Equal("Pending", claim.Status!.Phase);

        Assert.Equal(3, set.Status!.ObservedGeneration);
        Assert.Equal(2, set.Status.ReadyReplicas);
        Assert.Null(set.Status.AvailableReplicas);
        Assert.Equal("orders-5d8f7c9b6", set.Status.UpdateRevision);
        Assert.Equal(0, set.Status.CollisionCount);
    }

    [Fact]
    public void Pod_from_the_server_exposes_scheduling_and_status()
    {
        var pod = Json.Read(KubeResources.Pods, ServerSamples.Pod);

        Assert.Equal("node-a", pod.Spec.NodeName);
        Assert.Equal("orders-0", pod.Spec.Hostname);
        Assert.Equal("orders-peers", pod.Spec.Subdomain);
        Assert.True(pod.Spec.EnableServiceLinks);
        Assert.Equal(300, pod.Spec.Tolerations![0].TolerationSeconds);
        Assert.Equal(3607, pod.Spec.Volumes![1].Projected!.Sources![0].ServiceAccountToken!.ExpirationSeconds);
        Assert.Equal("data-orders-0", pod.Spec.Volumes[0].PersistentVolumeClaim!.ClaimName);
        Assert.Equal(7400, pod.Spec.Containers[0].Ports![0].Port);
        Assert.Equal(7400, pod.Spec.Containers[0].LivenessProbe!.TcpSocket!.Port.IntValue);

        var status = pod.Status!;
        Assert.Equal("Running", status.Phase);
        Assert.Equal("10.244.1.17", status.PodIp);
        Assert.Equal("10.244.1.17", Assert.Single(status.PodIps!).Ip);
        Assert.Equal("10.0.0.11", status.HostIp);
        Assert.Contains(status.Conditions!, c => c is { Type: "Ready", Status: "True", LastProbeTime: null });
        var agent = Assert.Single(status.ContainerStatuses!);
        Assert.True(agent.Ready);
        Assert.Equal(1, agent.RestartCount);
        Assert.NotNull(agent.State!.Running!.StartedAt);
        Assert.Equal(137, agent.LastState!.Terminated!.ExitCode);
        Assert.Equal("OOMKilled", agent.LastState.Terminated.Reason);
    }

    [Fact]
    public void Node_from_the_server_exposes_capacity_addresses_and_info()
    {
        var node = Json.Read(KubeResources.Nodes, ServerSamples.Node);

        Assert.Equal("10.244.1.0/24", node.Spec.PodCidr);
        Assert.Equal("NoSchedule", Assert.Single(node.Spec.Taints!).Effect);
        Assert.Equal("3800m", node.Status!.Allocatable!["cpu"]);
        Assert.Equal("16393412Ki", node.Status.Capacity!["memory"]);
        Assert.Contains(node.Status.Conditions!, c => c is { Type: "Ready", Status: "True" });
        Assert.Contains(node.Status.Addresses!, a => a is { Type: "InternalIP", Address: "10.0.0.11" });
        Assert.Equal(10250, node.Status.DaemonEndpoints!.KubeletEndpoint!.Port);
        Assert.Equal("v1.20.2", node.Status.NodeInfo!.KubeletVersion);
        Assert.True(node.Status.ExtensionData!.ContainsKey("images"));
    }

    [Fact]
    public void Headless_service_from_the_server_exposes_ports_with_named_and_numbered_targets()
    {
        var service = Json.Read(KubeResources.Services, ServerSamples.Service);

        Assert.Equal("None", service.Spec.ClusterIp);
        Assert.Equal(["None"], service.Spec.ClusterIps!);
        Assert.True(service.Spec.PublishNotReadyAddresses);
        Assert.Equal("None", service.Spec.SessionAffinity);
        Assert.Equal(new IntOrString("peer"), service.Spec.Ports![0].TargetPort);
        Assert.Equal(new IntOrString(7400), service.Spec.Ports[1].TargetPort);
        Assert.Equal("http", service.Spec.Ports[1].AppProtocol);
        Assert.NotNull(service.Status!.LoadBalancer);
    }

    [Fact]
    public void Legacy_event_reads_with_a_null_eventTime()
    {
        var e = Json.Read(KubeResources.Events, ServerSamples.Event);

        Assert.Null(e.EventTime);
        Assert.Equal("StatefulSet", e.InvolvedObject.Kind);
        Assert.Equal("statefulset-controller", e.Source!.Component);
        Assert.Equal(1, e.Count);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 15, 31, TimeSpan.Zero), e.LastTimestamp);
    }

    [Fact]
    public void Series_event_reads_microsecond_times()
    {
        var e = Json.Read(KubeResources.Events, ServerSamples.SeriesEvent);

        Assert.Null(e.FirstTimestamp);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 16, 0, TimeSpan.Zero).AddTicks(1_234_560), e.EventTime);
        Assert.Equal(4, e.Series!.Count);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 16, 30, TimeSpan.Zero).AddTicks(6_543_210), e.Series.LastObservedTime);
        Assert.Equal("Node", e.Related!.Kind);
        Assert.Equal("kubelet", e.ReportingComponent);
        Assert.Equal("spec.containers{agent}", e.InvolvedObject.FieldPath);
    }

    private static JsonNode RoundTrip<T>(ResourceType<T> type, string json) where T : class, IKubernetesObject =>
        Json.Node(type.Serialize(type.Read(Json.Element(json))));
}
