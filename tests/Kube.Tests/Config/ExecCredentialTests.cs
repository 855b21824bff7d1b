using Microsoft.Extensions.Time.Testing;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using DataCluster.Kube.Config;
using DataCluster.Kube.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataCluster.Kube.Tests.Config;

/// <summary>Running exec credential plugins: what they get, what is kept, and how failures read.</summary>
public sealed class ExecCredentialTests : IDisposable
{
    private static readonly Uri Server = new("https://k.example:6443");

    private readonly ExecPlugins _plugins = new();

    public void Dispose() => _plugins.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private KubeConfig Config(string command, string extra = "", string clusterExtra = "") =>
        KubeConfig.FromFile(_plugins.WriteKubeconfig($"config-{Guid.NewGuid():N}", Server,
            $"apiVersion: client.authentication.k8s.io/v1\ncommand: {command}\ninteractiveMode: Never{(extra.Length > 0 ? "\n" + extra : "")}", clusterExtra));

    private static ExecCredentialSource Source(KubeConfig config, TimeProvider? time = null) =>
        new(config.Exec!, config, time ?? TimeProvider.System, NullLogger.Instance);

    [Fact]
    public async Task The_token_is_kept_until_30_seconds_before_its_expiry_then_the_plugin_runs_again()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _plugins.WriteTokenPlugin("plugin", "tok-$RUN", time.GetUtcNow().AddMinutes(10));
        var source = Source(Config(Path.Combine(_plugins.Directory, "plugin")), time);

        Assert.Equal("tok-1", (await source.GetAsync(Ct)).Token);
        time.Advance(TimeSpan.FromMinutes(9) + TimeSpan.FromSeconds(29));
        Assert.Equal("tok-1", (await source.GetAsync(Ct)).Token);
        Assert.Equal(1, _plugins.Runs("plugin"));

        time.Advance(TimeSpan.FromSeconds(2)); // now 29 s before the expiry: inside the margin
        Assert.Equal("tok-2", (await source.GetAsync(Ct)).Token);
        Assert.Equal(2, _plugins.Runs("plugin"));
    }

    [Fact]
    public async Task A_token_without_expiry_is_kept_until_it_is_rejected_and_a_stale_rejection_is_ignored()
    {
        _plugins.WriteTokenPlugin("plugin", "tok-$RUN");
        var source = Source(Config(Path.Combine(_plugins.Directory, "plugin")));

        var first = await source.GetAsync(Ct);
        Assert.Same(first, await source.GetAsync(Ct));
        source.Invalidate(first);
        var second = await source.GetAsync(Ct);
        source.Invalidate(first); // a request that used the old token finishes late: no new run
        Assert.Equal("tok-2", (await source.GetAsync(Ct)).Token);
        Assert.Equal("tok-2", second.Token);
        Assert.Equal(2, _plugins.Runs("plugin"));
    }

    [Fact]
    public async Task Concurrent_callers_share_one_run()
    {
        _plugins.Write("plugin", """
            sleep 0.5
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"shared"}}'
            """);
        var source = Source(Config(Path.Combine(_plugins.Directory, "plugin")));

        var tokens = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => source.GetAsync(Ct).AsTask()));

        Assert.All(tokens, t => Assert.Equal("shared", t.Token));
        Assert.Equal(1, _plugins.Runs("plugin"));
    }

    [Fact]
    public async Task The_plugin_gets_args_env_no_stdin_and_the_cluster_in_KUBERNETES_EXEC_INFO()
    {
        var ca = SelfSigned("exec-ca", DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(_plugins.Directory, "ca.crt"), ca.CertPem);
        var seen = Path.Combine(_plugins.Directory, "seen");
        _plugins.Write("plugin", $$$"""
            printf '%s\n' "$@" > '{{{seen}}}.args'
            printf '%s' "$KUBERNETES_EXEC_INFO" > '{{{seen}}}.info'
            printf '%s|%s' "$PROFILE" "$KEPT_FROM_PARENT" > '{{{seen}}}.env'
            cat > '{{{seen}}}.stdin'
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}'
            """);
        Environment.SetEnvironmentVariable("KEPT_FROM_PARENT", "yes");
        var config = Config(Path.Combine(_plugins.Directory, "plugin"),
            "args: [--region, eu-1]\nenv: [{name: PROFILE, value: ops}]\nprovideClusterInfo: true",
            "tls-server-name: api.internal\ncertificate-authority: ca.crt\nproxy-url: socks5://proxy:1080");

        await Source(config).GetAsync(Ct);

        Assert.Equal("--region\neu-1\n", File.ReadAllText(seen + ".args"));
        Assert.Equal("ops|yes", File.ReadAllText(seen + ".env"));
        Assert.Equal("", File.ReadAllText(seen + ".stdin"));
        using var info = JsonDocument.Parse(File.ReadAllText(seen + ".info"));
        var root = info.RootElement;
        Assert.Equal("client.authentication.k8s.io/v1", root.GetProperty("apiVersion").GetString());
        Assert.Equal("ExecCredential", root.GetProperty("kind").GetString());
        Assert.False(root.GetProperty("spec").GetProperty("interactive").GetBoolean());
        var cluster = root.GetProperty("spec").GetProperty("cluster");
        Assert.Equal("https://k.example:6443", cluster.GetProperty("server").GetString());
        Assert.Equal("api.internal", cluster.GetProperty("tls-server-name").GetString());
        Assert.False(cluster.GetProperty("insecure-skip-tls-verify").GetBoolean());
        Assert.Equal("socks5://proxy:1080", cluster.GetProperty("proxy-url").GetString());
        var caData = Encoding.ASCII.GetString(cluster.GetProperty("certificate-authority-data").GetBytesFromBase64());
        Assert.Equal(X509Certificate2.CreateFromPem(ca.CertPem).Thumbprint, X509Certificate2.CreateFromPem(caData).Thumbprint);
    }

    [Fact]
    public async Task Without_provideClusterInfo_the_plugin_gets_the_spec_but_no_cluster()
    {
        var seen = Path.Combine(_plugins.Directory, "info");
        _plugins.Write("plugin", $$$"""
            printf '%s' "$KUBERNETES_EXEC_INFO" > '{{{seen}}}'
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}'
            """);

        await Source(Config(Path.Combine(_plugins.Directory, "plugin"))).GetAsync(Ct);

        Assert.Equal("""{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}""", File.ReadAllText(seen));
    }

    [Fact]
    public async Task A_client_certificate_from_the_plugin_is_kept_no_longer_than_it_is_valid()
    {
        var notAfter = DateTimeOffset.UtcNow.AddHours(1);
        var client = SelfSigned("exec-client", notAfter);
        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["apiVersion"] = "client.authentication.k8s.io/v1",
            ["kind"] = "ExecCredential",
            ["status"] = new Dictionary<string, string>
            {
                ["clientCertificateData"] = client.CertPem,
                ["clientKeyData"] = client.KeyPem,
                ["expirationTimestamp"] = ExecPlugins.Rfc3339(notAfter.AddDays(1)),
            },
        });
        File.WriteAllText(Path.Combine(_plugins.Directory, "credential.json"), json);
        _plugins.Write("plugin", $"cat '{Path.Combine(_plugins.Directory, "credential.json")}'");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var source = Source(Config(Path.Combine(_plugins.Directory, "plugin")), time);

        var credential = await source.GetAsync(Ct);
        Assert.Null(credential.Token);
        Assert.Equal("CN=exec-client", credential.ClientCertificate!.Subject);
        Assert.True(credential.ClientCertificate.HasPrivateKey);
        Assert.Same(credential.ClientCertificate, source.ClientCertificate);

        // The stated expiry is a day after the certificate's own end: the certificate's end counts.
        time.Advance(notAfter - time.GetUtcNow());
        await source.GetAsync(Ct);
        Assert.Equal(2, _plugins.Runs("plugin"));
    }

    [Fact]
    public async Task A_plugin_that_prints_a_different_apiVersion_kind_or_nothing_useful_is_reported_on_one_line()
    {
        var cases = new (string Output, string Expected)[]
        {
            ("""{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}}""",
                "printed apiVersion 'client.authentication.k8s.io/v1beta1' but the kubeconfig asks for client.authentication.k8s.io/v1; set users[u].user.exec.apiVersion to the version the plugin prints"),
            ("""{"apiVersion":"client.authentication.k8s.io/v1","kind":"Secret","status":{"token":"t"}}""", "printed kind 'Secret', expected ExecCredential"),
            ("""{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}""", "printed an ExecCredential without status.token or status.clientCertificateData and clientKeyData"),
            ("""{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientKeyData":"k"}}""", "printed a client certificate without status.clientCertificateData; both are needed"),
            ("<html>secret-looking-value</html>", "printed output that is not an ExecCredential JSON document (at line 1, byte 1)"),
            ("", "printed nothing on standard output"),
        };
        foreach (var (output, expected) in cases)
        {
            var file = Path.Combine(_plugins.Directory, "output");
            File.WriteAllText(file, output);
            var plugin = _plugins.Write("plugin", $"cat '{file}'");

            var error = await Assert.ThrowsAsync<KubeConfigException>(() => Source(Config(plugin)).GetAsync(Ct).AsTask());

            Assert.True(error.Message.Contains($"user 'u': exec plugin {plugin} {expected}", StringComparison.Ordinal), error.Message);
            Assert.DoesNotContain("secret-looking-value", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_failing_plugin_is_reported_on_one_line_with_its_exit_code_and_stderr_truncated()
    {
        var plugin = _plugins.Write("plugin", """
            echo "error: the SSO session has expired" >&2
            echo "  run: aws sso login --profile ops" >&2
            head -c 2000 /dev/zero | tr '\0' 'x' >&2
            exit 3
            """);
        var config = Config(plugin);

        var error = await Assert.ThrowsAsync<KubeConfigException>(() => Source(config).GetAsync(Ct).AsTask());

        Assert.StartsWith($"kubeconfig {config.Source} user 'u': exec plugin {plugin} exited with code 3; run it by hand to see why " +
            "(stderr: error: the SSO session has expired run: aws sso login --profile ops xxx", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("xxx...)", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 800, error.Message);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_command_shows_the_install_hint_on_one_line()
    {
        var config = Config("no-such-plugin-anywhere", "installHint: |\n  no-such-plugin is needed.\n  Install it with: apt-get install no-such-plugin");

        var error = await Assert.ThrowsAsync<KubeConfigException>(() => Source(config).GetAsync(Ct).AsTask());

        Assert.Equal($"kubeconfig {config.Source} user 'u': exec plugin no-such-plugin-anywhere was not found in PATH; " +
            "no-such-plugin is needed. Install it with: apt-get install no-such-plugin", error.Message);
    }

    [Fact]
    public async Task A_missing_relative_command_without_a_hint_says_to_install_it_or_give_its_path()
    {
        var config = Config("./tools/missing");

        var error = await Assert.ThrowsAsync<KubeConfigException>(() => Source(config).GetAsync(Ct).AsTask());

        Assert.Equal($"kubeconfig {config.Source} user 'u': exec plugin {Path.Combine(_plugins.Directory, "tools", "missing")} is not an executable file; " +
            "install it, or set users[u].user.exec.command to its full path", error.Message);
    }

    [Fact]
    public async Task A_hung_plugin_is_stopped_after_its_timeout()
    {
        var plugin = _plugins.Write("plugin", "sleep 30");
        var config = Config(plugin);
        config = config with { Exec = config.Exec! with { Timeout = TimeSpan.FromMilliseconds(300) } };
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<KubeConfigException>(() => Source(config).GetAsync(Ct).AsTask());

        Assert.Contains($"exec plugin {plugin} did not finish within 0.3 s and was stopped", error.Message, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_failed_run_is_not_kept_the_next_call_runs_the_plugin_again()
    {
        var plugin = _plugins.Write("plugin", """
            if [ "$RUN" = 1 ]; then echo "temporary failure" >&2; exit 1; fi
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"second"}}'
            """);
        var source = Source(Config(plugin));

        await Assert.ThrowsAsync<KubeConfigException>(() => source.GetAsync(Ct).AsTask());

        Assert.Equal("second", (await source.GetAsync(Ct)).Token);
    }

    private static (string CertPem, string KeyPem) SelfSigned(string subject, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), notAfter);
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
