using DataCluster.Contracts;
using DataCluster.Kube.Config;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Agent.Tests.Integration;

/// <summary>An agent whose kubeconfig user is an exec credential plugin.</summary>
[Collection(AgentsCollection.Name)]
public sealed class ExecKubeconfigTests(ControlPlaneFixture fixture) : IDisposable
{
    // Only catches hangs: one agent forms its ring within a few seconds.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);

    private readonly string _directory = Directory.CreateTempSubdirectory("agent-exec-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task An_agent_configured_from_an_exec_plugin_kubeconfig_forms_its_ring()
    {
        fixture.RequireControlPlane();
        await using var cluster = await TestCluster.CreateAsync(fixture, members: 1);
        var plugin = Path.Combine(_directory, "get-token");
        File.WriteAllText(plugin, $$$"""
            #!/bin/bash
            echo run >> '{{{plugin}}}.count'
            echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"{{{fixture.AdminToken}}}"}}'

            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var kubeconfig = Path.Combine(_directory, "kubeconfig");
        File.WriteAllText(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            current-context: c
            clusters:
            - name: k
              cluster: {"{"}server: "{fixture.Server.ToString().TrimEnd('/')}", certificate-authority: "{fixture.CaFile}"{"}"}
            users:
            - name: agent
              user:
                exec: {"{"}apiVersion: client.authentication.k8s.io/v1beta1, command: ./get-token{"}"}
            contexts:
            - name: c
              context: {"{"}cluster: k, user: agent{"}"}

            """);

        // As the agents' ServiceAccount, like the in-cluster agents, so RBAC applies.
        var kube = KubeConfig.FromFile(kubeconfig) with
        {
            ImpersonateUser = cluster.AgentConfig.ImpersonateUser,
            ImpersonateGroups = cluster.AgentConfig.ImpersonateGroups,
            Namespace = cluster.Namespace,
        };
        var agent = await cluster.StartAgentAsync(0, kube);

        await Eventually.UntilAsync(
            () => agent.Node.Context.Leadership.IsLeader && agent.Node.Context.Assignments.Current?.Assignment.Epoch >= 1,
            Hang,
            "the agent leads and publishes an assignment");
        Assert.Equal(ObjectNames.Pod(TestCluster.Name, 0), agent.Node.Context.Leadership.CurrentLeader);
        Assert.Single(File.ReadAllLines(plugin + ".count"));
    }
}
