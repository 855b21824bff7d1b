using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using DataCluster.Kube.Config;

namespace DataCluster.Kube.Tests.Config;

public sealed class KubeConfigFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (string CertPem, string KeyPem) SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return (cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.ASCII.GetBytes(text));

    private const string TwoContexts = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: dev-cluster
          cluster:
            server: https://dev.example:6443
            insecure-skip-tls-verify: true
        - name: prod-cluster
          cluster:
            server: https://prod.example
            tls-server-name: api.prod.internal
        users:
        - name: dev-user
          user:
            token: dev-token
        - name: prod-user
          user:
            tokenFile: secrets/token
            as: someone
            as-groups: [g1, g2]
        contexts:
        - name: dev
          context:
            cluster: dev-cluster
            user: dev-user
            namespace: team-dev
        - name: prod
          context:
            cluster: prod-cluster
            user: prod-user
        """;

    [Fact]
    public void The_current_context_selects_server_token_namespace_and_insecure_skip()
    {
        var config = KubeConfig.FromFile(Write("config", TwoContexts));

        Assert.Equal(new Uri("https://dev.example:6443"), config.Server);
        Assert.Equal("dev-token", config.Token);
        Assert.Null(config.TokenFile);
        Assert.Equal("team-dev", config.Namespace);
        Assert.True(config.InsecureSkipTlsVerify);
        Assert.Null(config.CertificateAuthorities);
    }

    [Fact]
    public void Another_context_can_be_chosen_and_relative_token_files_resolve_against_the_kubeconfig()
    {
        var config = KubeConfig.FromFile(Write("config", TwoContexts), "prod");

        Assert.Equal(new Uri("https://prod.example"), config.Server);
        Assert.Equal(Path.Combine(_dir, "secrets", "token"), config.TokenFile);
        Assert.Equal("default", config.Namespace);
        Assert.False(config.InsecureSkipTlsVerify);
        Assert.Equal("api.prod.internal", config.TlsServerName);
        Assert.Equal("someone", config.ImpersonateUser);
        Assert.Equal(["g1", "g2"], config.ImpersonateGroups);
    }

    [Fact]
    public void Client_certificates_and_CAs_load_from_data_and_from_files()
    {
        var (caPem, _) = SelfSigned("ca");
        var (clientPem, clientKey) = SelfSigned("client");
        Write("ca.crt", caPem);
        Write("client.crt", clientPem);
        Write("client.key", clientKey);

        var fromData = KubeConfig.FromFile(Write("data", $"""
            current-context: c
            clusters: [{"{"}name: k, cluster: {"{"}server: "https://k:6443", certificate-authority-data: {B64(caPem)}{"}"}{"}"}]
            users: [{"{"}name: u, user: {"{"}client-certificate-data: {B64(clientPem)}, client-key-data: {B64(clientKey)}{"}"}{"}"}]
            contexts: [{"{"}name: c, context: {"{"}cluster: k, user: u{"}"}{"}"}]
            """));
        var fromFiles = KubeConfig.FromFile(Write("files", """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k:6443", certificate-authority: ca.crt}}]
            users: [{name: u, user: {client-certificate: client.crt, client-key: client.key}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """));

        foreach (var config in new[] { fromData, fromFiles })
        {
            Assert.Equal("CN=ca", Assert.Single(config.CertificateAuthorities!).Subject);
            Assert.Equal("CN=client", config.ClientCertificate!.Subject);
            Assert.True(config.ClientCertificate.HasPrivateKey);
            Assert.Null(config.Token);
        }
    }

    [Theory]
    [InlineData("current-context: x\nclusters: []\ncontexts: []", "has no entry named 'x' in 'contexts'")]
    [InlineData("clusters: []", "has no current-context")]
    [InlineData("current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, cluster: {}}]", "lacks clusters[k].cluster.server")]
    [InlineData("current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, cluster: {server: 'not a url'}}]", "is not an http(s) URL")]
    [InlineData("current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: 'https://k'}}]\nusers: [{name: u, user: {client-certificate-data: QUJD}}]", "lacks users[u].user.client-key(-data)")]
    [InlineData("current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: 'https://k'}}]\nusers: [{name: u, user: {exec: {command: aws}}}]", "lacks users[u].user.exec.apiVersion")]
    [InlineData("current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, cluster: {server: 'https://k', certificate-authority-data: '!!notbase64'}}]", "certificate-authority-data that is not base64")]
    [InlineData("current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, cluster: {server: 'https://k', certificate-authority: missing.crt}}]", "which cannot be read")]
    [InlineData("current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, cluster: {server: 'https://k', insecure-skip-tls-verify: maybe}}]", "expected true or false")]
    [InlineData("key: [unclosed", "is not valid YAML")]
    [InlineData("", "is empty or not a mapping")]
    public void Bad_files_give_errors_naming_the_file_and_the_field(string text, string expected)
    {
        var path = Write("bad", text);
        var error = Assert.Throws<KubeConfigException>(() => KubeConfig.FromFile(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gcp", "gke-gcloud-auth-plugin")]
    [InlineData("azure", "kubelogin")]
    [InlineData("oidc", "kubectl oidc-login")]
    [InlineData("acme", "the one your cloud or identity provider documents")]
    public void An_auth_provider_is_refused_with_the_exec_plugin_that_replaces_it(string provider, string replacement)
    {
        var path = Write("provider", $$$"""
            current-context: c
            contexts: [{name: c, context: {cluster: k, user: u}}]
            clusters: [{name: k, cluster: {server: 'https://k'}}]
            users: [{name: u, user: {auth-provider: {name: {{{provider}}}, config: {access-token: x} } } }]
            """);

        var error = Assert.Throws<KubeConfigException>(() => KubeConfig.FromFile(path));

        Assert.StartsWith($"kubeconfig {path} has user 'u' with auth-provider '{provider}', which Kubernetes clients no longer support; " +
            "replace users[u].user.auth-provider with an exec credential plugin: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(replacement, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named_in_the_error()
    {
        var path = Path.Combine(_dir, "nope");
        var error = Assert.Throws<KubeConfigException>(() => KubeConfig.FromFile(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }
}
