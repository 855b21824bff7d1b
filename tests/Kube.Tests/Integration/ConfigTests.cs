using System.Security.Authentication;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Models;
using DataCluster.Kube.Watch;
using DataCluster.Testing;
using static DataCluster.Kube.Tests.Integration.Api;

namespace DataCluster.Kube.Tests.Integration;

public sealed class ConfigTests(ControlPlaneFixture fixture)
{
    private string WriteKubeconfig(string userBlock, string clusterExtra)
    {
        var path = Path.Combine(fixture.Plane.RunDirectory, $"kubeconfig-{Guid.NewGuid():N}");
        var lines = new[]
        {
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: envtest",
            "  cluster:",
            $"    server: {fixture.Server}",
            clusterExtra,
            "users:",
            "- name: someone",
            "  user:",
            userBlock,
            "contexts:",
            "- name: ctx",
            "  context: {cluster: envtest, user: someone, namespace: team-a}",
            "current-context: ctx",
        };
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    [Fact]
    public async Task A_client_certificate_and_a_CA_file_authenticate()
    {
        var pki = fixture.Plane.Pki;
        var path = WriteKubeconfig(
            $"    client-certificate: {pki.AdminClientCertFile}\n    client-key: {pki.AdminClientKeyFile}",
            $"    certificate-authority: {pki.CaCertFile}");
        var config = KubeConfig.FromFile(path);
        using var client = new KubeClient(config);

        Assert.Equal("team-a", client.DefaultNamespace);
        var namespaces = await client.ListAsync(KubeResources.Namespaces, null, cancellationToken: Ct);
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");
    }

    [Fact]
    public async Task A_token_file_is_read_and_insecure_skip_trusts_any_server()
    {
        var tokenFile = Path.Combine(fixture.Plane.RunDirectory, $"token-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(tokenFile, fixture.AdminToken + "\n", Ct);
        var path = WriteKubeconfig($"    tokenFile: {tokenFile}", "    insecure-skip-tls-verify: true");
        using var client = new KubeClient(KubeConfig.FromFile(path));

        var list = await client.ListAsync(KubeResources.Namespaces, null, cancellationToken: Ct);
        Assert.NotEmpty(list.Items);
    }

    [Fact]
    public async Task A_server_certificate_from_another_CA_is_rejected()
    {
        using var otherCa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=other-ca", otherCa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var config = KubeConfig.FromFile(fixture.KubeconfigPath) with { CertificateAuthorities = [certificate] };
        using var client = new KubeClient(config);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.ListAsync(KubeResources.Namespaces, null, cancellationToken: Ct));
        Assert.IsType<AuthenticationException>(error.InnerException);
    }
    [Fact]
    public async Task Requests_and_watches_also_work_over_HTTP2()
    {
        var ns = await fixture.CreateNamespaceAsync("h2");
        using var client = Admin(fixture, new KubeClientOptions { UseHttp2 = true });
        var start = (await client.ListAsync(KubeResources.ConfigMaps, ns, cancellationToken: Ct)).Metadata.ResourceVersion;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        stop.CancelAfter(TimeSpan.FromSeconds(30));
        var watching = Task.Run(async () =>
        {
            await foreach (var e in client.WatchAsync(KubeResources.ConfigMaps, ns, new WatchOptions { ResourceVersion = start }, stop.Token))
            {
                return e.Object.Metadata.Name;
            }

            return null;
        }, Ct);

        await client.CreateAsync(KubeResources.ConfigMaps, new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = "over-h2" } }, Ct);
        Assert.Equal("over-h2", await watching);
    }
}
