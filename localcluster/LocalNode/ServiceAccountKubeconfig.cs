using System.Text;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// The kubeconfig a pod's processes get in KUBECONFIG: the API server, its CA and the token of
/// the pod's ServiceAccount, read from the token Secret the controller-manager's token
/// controller made for it. So a process here acts under exactly the RBAC it would have in a
/// cluster (a real pod reads the same token from its service-account volume).
/// </summary>
public static class ServiceAccountKubeconfig
{
    private const string TokenSecretType = "kubernetes.io/service-account-token";

    /// <summary>
    /// Writes the kubeconfig to <see cref="PodDirectories.Kubeconfig"/> and returns its path; null
    /// when the pod opts out of a service-account token (automountServiceAccountToken: false).
    /// </summary>
    /// <exception cref="ContainerConfigException">The ServiceAccount or its token does not exist (yet).</exception>
    public static async Task<string?> WriteAsync(
        Pod pod, PodDirectories directories, Uri server, string caPem, IKubeReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(directories);
        ArgumentNullException.ThrowIfNull(reader);
        if (pod.Spec.AutomountServiceAccountToken == false)
        {
            return null;
        }

        var ns = pod.Metadata.Namespace ?? "";
        var accountName = string.IsNullOrEmpty(pod.Spec.ServiceAccountName) ? "default" : pod.Spec.ServiceAccountName;
        var account = await reader.GetAsync(KubeResources.ServiceAccounts, ns, accountName, cancellationToken).ConfigureAwait(false)
            ?? throw new ContainerConfigException("ContainerCreating", $"serviceaccount \"{accountName}\" not found");
        string? token = null;
        foreach (var reference in account.Secrets ?? [])
        {
            var secret = await reader.GetAsync(KubeResources.Secrets, ns, reference.Name ?? "", cancellationToken).ConfigureAwait(false);
            if (secret is { Type: TokenSecretType } && secret.Data?.TryGetValue("token", out var bytes) == true)
            {
                token = Encoding.UTF8.GetString(bytes);
                break;
            }
        }

        if (token is null)
        {
            throw new ContainerConfigException("ContainerCreating", $"serviceaccount \"{accountName}\" has no token Secret yet (the controller-manager's token controller makes it)");
        }

        Directory.CreateDirectory(directories.Root);
        var path = directories.Kubeconfig;
        await File.WriteAllTextAsync(path, Render(server, caPem, ns, $"system:serviceaccount:{ns}:{accountName}", token), cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    /// <summary>The kubeconfig text. Pure.</summary>
    public static string Render(Uri server, string caPem, string @namespace, string user, string token)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(caPem);
        var ca = Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem));
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: local
              cluster:
                server: {server.ToString().TrimEnd('/')}
                certificate-authority-data: {ca}
            users:
            - name: "{user}"
              user:
                token: {token}
            contexts:
            - name: pod
              context:
                cluster: local
                user: "{user}"
                namespace: {@namespace}
            current-context: pod

            """;
    }
}
