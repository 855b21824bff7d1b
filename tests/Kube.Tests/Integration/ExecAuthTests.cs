using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Kube.Tests.Support;
using DataCluster.Kube.Watch;
using DataCluster.Testing;
using static DataCluster.Kube.Tests.Integration.Api;

namespace DataCluster.Kube.Tests.Integration;

/// <summary>Exec credential plugins against the real API server (token and client-certificate authentication).</summary>
public sealed class ExecAuthTests(ControlPlaneFixture fixture) : IDisposable
{
    // How long the tests wait for a credential to reach the end of its life (it is issued with
    // 31 s to go, one second more than the client's renewal margin) and for the server to answer.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly ExecPlugins _plugins = new();

    public void Dispose() => _plugins.Dispose();

    private string Kubeconfig(string plugin, string extra = "") => _plugins.WriteKubeconfig($"kubeconfig-{Guid.NewGuid():N}", fixture.Server,
        $"apiVersion: client.authentication.k8s.io/v1\ncommand: {plugin}\ninteractiveMode: Never{(extra.Length > 0 ? "\n" + extra : "")}",
        $"certificate-authority: {fixture.CaFile}");

    /// <summary>A bash line printing a v1 ExecCredential with this token, expiring <paramref name="secondsLeft"/> after the run when given.</summary>
    private static string PrintToken(string token, int? secondsLeft = null)
    {
        var expiry = secondsLeft is { } s ? $",\\\"expirationTimestamp\\\":\\\"$(date -u -d '+{s} seconds' +%Y-%m-%dT%H:%M:%SZ)\\\"" : "";
        return $"echo \"{{\\\"apiVersion\\\":\\\"client.authentication.k8s.io/v1\\\",\\\"kind\\\":\\\"ExecCredential\\\",\\\"status\\\":{{\\\"token\\\":\\\"{token}\\\"{expiry}}}}}\"";
    }

    [Fact]
    public async Task A_token_from_a_plugin_lists_and_watches_and_the_plugin_is_told_the_cluster()
    {
        var info = Path.Combine(_plugins.Directory, "exec-info");
        var plugin = _plugins.Write("plugin", $"printf '%s' \"$KUBERNETES_EXEC_INFO\" > '{info}'\n{PrintToken(fixture.AdminToken)}");
        var ns = await fixture.CreateNamespaceAsync("exec");
        using var client = new KubeClient(KubeConfig.FromFile(Kubeconfig(plugin, "provideClusterInfo: true")));

        var start = (await client.ListAsync(KubeResources.ConfigMaps, ns, cancellationToken: Ct)).Metadata.ResourceVersion;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        stop.CancelAfter(Deadline); // only catches a hang
        var watching = Task.Run(async () =>
        {
            await foreach (var e in client.WatchAsync(KubeResources.ConfigMaps, ns, new WatchOptions { ResourceVersion = start }, stop.Token))
            {
                return (e.Type, e.Object.Metadata.Name);
            }

            return default;
        }, Ct);
        await client.CreateAsync(KubeResources.ConfigMaps, new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = "via-exec" } }, Ct);

        Assert.Equal((WatchEventType.Added, "via-exec"), await watching);
        Assert.Equal(1, _plugins.Runs("plugin"));
        using var execInfo = JsonDocument.Parse(File.ReadAllText(info));
        Assert.Equal(fixture.Server.ToString().TrimEnd('/'), execInfo.RootElement.GetProperty("spec").GetProperty("cluster").GetProperty("server").GetString());
    }

    [Fact]
    public async Task A_token_the_server_rejects_is_replaced_by_running_the_plugin_again()
    {
        var plugin = _plugins.Write("plugin", $"""
            if [ "$RUN" = 1 ]; then {PrintToken("revoked-token")}; exit 0; fi
            {PrintToken(fixture.AdminToken)}
            """);
        using var client = new KubeClient(KubeConfig.FromFile(Kubeconfig(plugin)));

        var namespaces = await client.ListAsync(KubeResources.Namespaces, null, cancellationToken: Ct);

        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");
        Assert.Equal(2, _plugins.Runs("plugin"));
    }

    [Fact]
    public async Task An_expiring_token_is_renewed_before_it_expires()
    {
        // The first credential (admin) has 31 s to go, so it is due for renewal after one second;
        // the renewed one is alice's, whom the server then names in its refusal.
        var plugin = _plugins.Write("plugin", $"""
            if [ "$RUN" = 1 ]; then {PrintToken(fixture.AdminToken, secondsLeft: 31)}; exit 0; fi
            {PrintToken(fixture.TokenFor("alice"))}
            """);
        using var client = new KubeClient(KubeConfig.FromFile(Kubeconfig(plugin)));
        await client.ListAsync(KubeResources.Namespaces, null, cancellationToken: Ct);

        var refusal = await UntilForbiddenAsync(client);

        Assert.Contains("User \"alice\" cannot list resource \"namespaces\"", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(2, _plugins.Runs("plugin"));
    }

    [Fact]
    public async Task A_client_certificate_from_a_plugin_authenticates_and_a_renewed_one_is_used_on_new_connections()
    {
        var pki = fixture.Plane.Pki;
        var admin = Credential(File.ReadAllText(pki.AdminClientCertFile), File.ReadAllText(pki.AdminClientKeyFile), DateTimeOffset.UtcNow.AddSeconds(31));
        var carol = Credential(IssueClientCertificate(pki.CaCertFile, pki.CaKeyFile, "carol", out var carolKey), carolKey, null);
        File.WriteAllText(Path.Combine(_plugins.Directory, "admin.json"), admin);
        File.WriteAllText(Path.Combine(_plugins.Directory, "carol.json"), carol);
        var plugin = _plugins.Write("plugin", $"""
            if [ "$RUN" = 1 ]; then cat '{_plugins.Directory}/admin.json'; else cat '{_plugins.Directory}/carol.json'; fi
            """);
        using var client = new KubeClient(KubeConfig.FromFile(Kubeconfig(plugin)));

        var namespaces = await client.ListAsync(KubeResources.Namespaces, null, cancellationToken: Ct);
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");

        // The pooled connection was authenticated as admin at its handshake: only closing it lets carol's certificate count.
        var refusal = await UntilForbiddenAsync(client);
        Assert.Contains("User \"carol\" cannot list resource \"namespaces\"", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(2, _plugins.Runs("plugin"));
    }

    [Fact]
    public async Task A_failing_plugin_fails_the_request_with_one_line_naming_the_user()
    {
        var plugin = _plugins.Write("plugin", "echo 'error: token for profile ops has expired; run: sso login' >&2; exit 2");
        var path = Kubeconfig(plugin);
        using var client = new KubeClient(KubeConfig.FromFile(path));

        var error = await Assert.ThrowsAsync<KubeConfigException>(() => client.ListAsync(KubeResources.Namespaces, null, cancellationToken: Ct));

        Assert.Equal($"kubeconfig {path} user 'u': exec plugin {plugin} exited with code 2; run it by hand to see why " +
            "(stderr: error: token for profile ops has expired; run: sso login)", error.Message);
    }

    /// <summary>Lists namespaces until the server refuses (the renewed credential is in use), polling within <see cref="Deadline"/>.</summary>
    private static async Task<ForbiddenException> UntilForbiddenAsync(KubeClient client)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            try
            {
                await client.ListAsync(KubeResources.Namespaces, null, cancellationToken: Ct);
            }
            catch (ForbiddenException e)
            {
                return e;
            }

            Assert.True(DateTime.UtcNow < deadline, $"No request used the renewed credential within {Deadline.TotalSeconds} s.");

            // Polling interval: the renewal is due one second after the first run.
            await Task.Delay(TimeSpan.FromMilliseconds(200), Ct);
        }
    }

    private static string Credential(string certificatePem, string keyPem, DateTimeOffset? expires)
    {
        var status = new Dictionary<string, string> { ["clientCertificateData"] = certificatePem, ["clientKeyData"] = keyPem };
        if (expires is { } at)
        {
            status["expirationTimestamp"] = ExecPlugins.Rfc3339(at);
        }

        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["apiVersion"] = "client.authentication.k8s.io/v1",
            ["kind"] = "ExecCredential",
            ["status"] = status,
        });
    }

    private static string IssueClientCertificate(string caCertFile, string caKeyFile, string user, out string keyPem)
    {
        using var ca = X509Certificate2.CreateFromPemFile(caCertFile, caKeyFile);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={user}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1), RandomNumberGenerator.GetBytes(8));
        keyPem = key.ExportPkcs8PrivateKeyPem();
        return certificate.ExportCertificatePem();
    }
}
