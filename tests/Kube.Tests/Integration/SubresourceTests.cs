using System.Text.Json.Nodes;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;
using DataCluster.Testing;
using static DataCluster.Kube.Tests.Integration.Api;

namespace DataCluster.Kube.Tests.Integration;

public sealed class SubresourceTests(ControlPlaneFixture fixture)
{
    private static async Task<Pod> CreatePodAsync(KubeClient client, string ns, string name)
    {
        // No controller manager creates the default service account here; the ServiceAccount
        // admission plugin needs it to exist.
        await client.ApplyAsync(KubeResources.ServiceAccounts, new ServiceAccount { Metadata = new ObjectMeta { Namespace = ns, Name = "default" } }, new ApplyOptions("test"), Ct);
        return await client.CreateAsync(KubeResources.Pods, new Pod
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = name },
            Spec = new PodSpec
            {
                AutomountServiceAccountToken = false,
                Containers = [new Container { Name = "app", Image = "example.invalid/app:1" }],
            },
        }, Ct);
    }

    [Fact]
    public async Task Status_writes_change_only_the_status()
    {
        var ns = await fixture.CreateNamespaceAsync("status");
        using var client = Admin(fixture);
        var pod = await CreatePodAsync(client, ns, "p");

        pod.Status ??= new PodStatus();
        pod.Status.Message = "updated through the status subresource";
        pod.Spec.ActiveDeadlineSeconds = 60; // the status endpoint ignores spec
        var updated = await client.UpdateStatusAsync(KubeResources.Pods, pod, Ct);
        Assert.Equal("updated through the status subresource", updated.Status!.Message);
        Assert.Null(updated.Spec.ActiveDeadlineSeconds);

        var patched = await client.MergePatchStatusAsync(KubeResources.Pods, ns, "p", new JsonObject
        {
            ["status"] = new JsonObject { ["message"] = "merge-patched" },
        }, Ct);
        Assert.Equal("merge-patched", patched.Status!.Message);

        var applied = await client.ApplyStatusAsync(KubeResources.Pods, new Pod
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = "p" },
            Status = new PodStatus { Message = "applied" },
        }, new ApplyOptions("status-writer", Force: true), Ct);
        Assert.Equal("applied", applied.Status!.Message);
        Assert.Equal("app", Assert.Single(applied.Spec.Containers).Name);
    }

    [Fact]
    public async Task Posting_a_Binding_assigns_the_pod_to_a_node()
    {
        var ns = await fixture.CreateNamespaceAsync("binding");
        using var client = Admin(fixture);
        await CreatePodAsync(client, ns, "p");

        await client.PostSubresourceAsync(KubeResources.Pods, ns, "p", "binding", new Binding
        {
            ApiVersion = "v1",
            Kind = "Binding",
            Metadata = new ObjectMeta { Namespace = ns, Name = "p" },
            Target = new ObjectReference { Kind = "Node", Name = "node-1" },
        }, KubeJsonContext.Default.Binding, Ct);

        var bound = await client.GetAsync(KubeResources.Pods, ns, "p", Ct);
        Assert.Equal("node-1", bound!.Spec.NodeName);
    }
}
