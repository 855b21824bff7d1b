using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using DataCluster.Kube.Config;
using DataCluster.Kube.Models;
using DataCluster.LocalCluster.LocalNode;
using Xunit;

namespace DataCluster.LocalCluster.Tests.LocalNode;

public sealed class ServiceAccountKubeconfigTests : IDisposable
{
    private static readonly string CaPem = SelfSignedPem();

    private readonly string _root = Directory.CreateTempSubdirectory("localnode-sa-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string SelfSignedPem()
    {
        using var key = ECDsa.Create();
        var request = new CertificateRequest("CN=test-ca", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        return certificate.ExportCertificatePem();
    }

    private static Pod Pod(bool? automount = null) => new()
    {
        Metadata = new ObjectMeta { Name = "orders-0", Namespace = "shop", Uid = "u1" },
        Spec = new PodSpec { ServiceAccountName = "orders-agent", AutomountServiceAccountToken = automount },
    };

    [Fact]
    public async Task The_kubeconfig_carries_the_service_accounts_token_and_namespace()
    {
        var reader = new FakeReader()
            .Add(new ServiceAccount
            {
                Metadata = new ObjectMeta { Name = "orders-agent", Namespace = "shop" },
                Secrets = [new ObjectReference { Name = "orders-agent-dockercfg" }, new ObjectReference { Name = "orders-agent-token-abcde" }],
            })
            .Add(new Secret { Metadata = new ObjectMeta { Name = "orders-agent-dockercfg", Namespace = "shop" }, Type = "kubernetes.io/dockercfg", Data = new() { ["token"] = "no"u8.ToArray() } })
            .Add(new Secret { Metadata = new ObjectMeta { Name = "orders-agent-token-abcde", Namespace = "shop" }, Type = "kubernetes.io/service-account-token", Data = new() { ["token"] = Encoding.UTF8.GetBytes("sa-token") } });

        var path = await ServiceAccountKubeconfig.WriteAsync(Pod(), new PodDirectories(_root, "shop", "orders-0", "u1"), new Uri("https://127.0.0.1:6443"), CaPem, reader, Ct);

        var config = KubeConfig.FromFile(path!);
        Assert.Equal("sa-token", config.Token);
        Assert.Equal("shop", config.Namespace);
        Assert.Equal(new Uri("https://127.0.0.1:6443"), config.Server);
    }

    [Fact]
    public async Task No_kubeconfig_when_the_pod_opts_out_and_a_clear_error_while_the_token_is_missing()
    {
        var reader = new FakeReader().Add(new ServiceAccount { Metadata = new ObjectMeta { Name = "orders-agent", Namespace = "shop" } });
        var directories = new PodDirectories(_root, "shop", "orders-0", "u1");

        var optedOut = await ServiceAccountKubeconfig.WriteAsync(Pod(automount: false), directories, new Uri("https://h"), CaPem, reader, Ct);
        var error = await Assert.ThrowsAsync<ContainerConfigException>(() => ServiceAccountKubeconfig.WriteAsync(Pod(), directories, new Uri("https://h"), CaPem, reader, Ct));

        Assert.Null(optedOut);
        Assert.Equal("ContainerCreating", error.Reason);
        Assert.Contains("has no token Secret yet", error.Message, StringComparison.Ordinal);
    }
}
