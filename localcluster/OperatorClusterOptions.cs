using System.Net;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;
using DataCluster.Operator.Rbac;

namespace DataCluster.LocalCluster;

/// <summary>
/// How the demo and the end-to-end tests start a local cluster: the operator runs as its own
/// process under the token user "operator" with exactly its ClusterRole, and the local node runs
/// <paramref name="agentImage"/> as the published agent.
/// </summary>
public static class OperatorClusterOptions
{
    public static ClusterOptions Create(
        string crdManifest, string operatorAssembly, string agentImage, string agentBinary, IPAddress? firstPodAddress = null)
    {
        var options = new ClusterOptions
        {
            CrdManifest = crdManifest,
            Operator = new("dotnet", [operatorAssembly]),
            OperatorArguments =
            [
                "--agent-image", agentImage,
                // The defaults (:8080 and :8081 on every address) would take the agents' port.
                "--metrics-bind-address", $"127.0.0.1:{FreePort.OnLoopback()}",
                "--health-probe-bind-address", $"127.0.0.1:{FreePort.OnLoopback()}",
                "--leader-election-namespace", "default",
                "--log-format", "text",
            ],
            GrantOperatorRights = GrantOperatorRightsAsync,
            AgentImage = agentImage,
            AgentExecutable = agentBinary,
        };
        return firstPodAddress is null ? options : options with { FirstPodAddress = firstPodAddress };
    }

    private static async Task GrantOperatorRightsAsync(IKubeClient admin, CancellationToken cancellationToken)
    {
        await admin.CreateAsync(KubeResources.ClusterRoles, OperatorRbacBuilder.ClusterRole(), cancellationToken).ConfigureAwait(false);
        await admin.CreateAsync(
            KubeResources.ClusterRoleBindings,
            OperatorRbacBuilder.ClusterRoleBinding(new Subject { Kind = "User", ApiGroup = "rbac.authorization.k8s.io", Name = "operator" }),
            cancellationToken).ConfigureAwait(false);
    }
}
