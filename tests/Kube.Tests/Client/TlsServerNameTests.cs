using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Tests.Support;

namespace DataCluster.Kube.Tests.Client;

/// <summary>kubeconfig's tls-server-name: the name the client asks for (SNI) and the name it checks.</summary>
public sealed class TlsServerNameTests
{
    private const string NamespaceJson = """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"}}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_tls_server_name_is_sent_as_SNI_and_the_certificate_is_checked_against_it()
    {
        await using var server = new TlsRecordingServer("api.internal.example", NamespaceJson);
        var config = new KubeConfig
        {
            Server = new Uri($"https://127.0.0.1:{server.Port}"),
            TlsServerName = "api.internal.example",
            CertificateAuthorities = [server.Authority],
        };
        using var client = new KubeClient(config);

        var found = await client.GetAsync(KubeResources.Namespaces, null, "n", Ct);

        Assert.Equal("n", found!.Metadata.Name);
        Assert.Equal(["api.internal.example"], server.ServerNames);
        Assert.Equal([$"api.internal.example:{server.Port}"], server.HostHeaders);
    }

    [Fact]
    public async Task Without_a_tls_server_name_an_IP_server_gets_no_SNI_and_a_name_only_certificate_is_rejected()
    {
        await using var server = new TlsRecordingServer("api.internal.example", NamespaceJson);
        var config = new KubeConfig
        {
            Server = new Uri($"https://127.0.0.1:{server.Port}"),
            CertificateAuthorities = [server.Authority],
        };
        using var client = new KubeClient(config);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(KubeResources.Namespaces, null, "n", Ct));

        Assert.IsType<System.Security.Authentication.AuthenticationException>(error.InnerException);
        Assert.Equal([""], server.ServerNames);
    }
}
