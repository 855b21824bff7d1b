using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using Xunit;

namespace DataCluster.Operator.Tests;

public class ServiceBuildersTests
{
    private static IEnumerable<(string?, string?, int, string?)> Ports(Service service) =>
        service.Spec.Ports!.Select(p => (p.Name, p.Protocol, p.Port, p.TargetPort?.ToString()));

    [Fact]
    public void Peer_service_is_headless_and_publishes_members_before_they_are_ready()
    {
        var service = ServiceBuilders.Peer(Defaults.Apply(TestClusters.Create()));

        Assert.Equal("None", service.Spec.ClusterIp);
        Assert.True(service.Spec.PublishNotReadyAddresses);
        Assert.Equal(Labels.Selector("demo"), service.Spec.Selector);
        Assert.Equal([("http", "TCP", 8080, "8080"), ("peer", "TCP", 7070, "7070")], Ports(service));
    }

    [Fact]
    public void Client_service_balances_the_client_port_over_ready_members_only()
    {
        var service = ServiceBuilders.Client(Defaults.Apply(TestClusters.Create()));

        Assert.Equal("ClusterIP", service.Spec.Type);
        Assert.Null(service.Spec.ClusterIp);
        Assert.Null(service.Spec.PublishNotReadyAddresses);
        Assert.Equal(Labels.Selector("demo"), service.Spec.Selector);
        Assert.Equal([("http", "TCP", 8080, "8080")], Ports(service));
    }

    [Fact]
    public void Ring_service_has_no_selector_so_its_only_endpoints_are_the_operators()
    {
        var service = ServiceBuilders.Ring(Defaults.Apply(TestClusters.Create()));

        Assert.Null(service.Spec.Selector);
        Assert.Equal("None", service.Spec.ClusterIp);
        Assert.Equal([("http", "TCP", 8080, "8080"), ("peer", "TCP", 7070, "7070")], Ports(service));
    }

    [Fact]
    public void Service_target_ports_are_numbers_so_an_app_port_with_the_same_name_cannot_capture_traffic()
    {
        var cluster = TestClusters.Create();

        var targets = new[] { ServiceBuilders.Peer(Defaults.Apply(cluster)), ServiceBuilders.Client(Defaults.Apply(cluster)), ServiceBuilders.Ring(Defaults.Apply(cluster)) }
            .SelectMany(s => s.Spec.Ports!).Select(p => p.TargetPort!.Value);

        Assert.All(targets, target => Assert.True(target.IsInt));
    }
}
