using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace DataCluster.LocalCluster.ControlPlane;

/// <summary>
/// A real etcd + kube-apiserver (+ optionally kube-controller-manager) on free loopback ports,
/// with token and client-certificate authentication, RBAC authorization and service-account
/// signing keys. Thread-safe for use by parallel tests, except <see cref="RestartApiServerAsync"/>,
/// <see cref="StopApiServerAsync"/> and <see cref="CompactEtcdAsync"/>, which disturb everyone:
/// tests that use them need their own instance.
/// </summary>
public sealed class LocalControlPlane : IAsyncDisposable
{
    /// <summary>
    /// Users of the static token file. admin is in system:masters; the others have no rights until
    /// a test grants them some (operator is meant for running the operator under its own RBAC).
    /// </summary>
    public static readonly IReadOnlyList<string> Users = ["admin", "alice", "bob", "operator"];

    // Generous: on two busy cores a cold kube-apiserver takes 10-20 s to pass /readyz.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly EnvtestAssets _assets;
    private readonly RunDirectory _run;
    private readonly Dictionary<string, string> _tokens;
    private readonly int _etcdPort;
    private readonly int _etcdPeerPort;
    private ChildProcess? _etcd;
    private ChildProcess? _apiServer;
    private ChildProcess? _controllerManager;

    private LocalControlPlane(EnvtestAssets assets, RunDirectory run, ControlPlanePki pki, Dictionary<string, string> tokens)
    {
        _assets = assets;
        _run = run;
        Pki = pki;
        _tokens = tokens;
        _etcdPort = FreePort.OnLoopback();
        _etcdPeerPort = FreePort.OnLoopback();
        ApiServerPort = FreePort.OnLoopback();
        Server = new Uri($"https://127.0.0.1:{ApiServerPort}");
        KubeconfigPath = run.File("kubeconfig");
        Http = CreateHttpClient(pki, tokens["admin"]);
    }

    public ControlPlanePki Pki { get; }

    public int ApiServerPort { get; }

    /// <summary>The API server's URL (https, 127.0.0.1).</summary>
    public Uri Server { get; }

    /// <summary>A kubeconfig for the admin user (token auth, CA embedded).</summary>
    public string KubeconfigPath { get; }

    public string RunDirectory => _run.Path;

    /// <summary>The API server's audit log (JSON lines, one per completed request).</summary>
    public string AuditLogPath => _run.File("audit.log");

    public string EtcdUrl => $"http://127.0.0.1:{_etcdPort}";

    /// <summary>An HttpClient authenticated as admin and trusting the test CA.</summary>
    public HttpClient Http { get; }

    public bool ControllersRunning => _controllerManager is { HasExited: false };

    public string TokenFor(string user) =>
        _tokens.TryGetValue(user, out var token) ? token : throw new ArgumentException($"No token user '{user}'; known: {string.Join(", ", Users)}.", nameof(user));

    public static async Task<LocalControlPlane> StartAsync(EnvtestAssets assets, bool withControllers, CancellationToken cancellationToken = default)
    {
        var run = ControlPlane.RunDirectory.Create();
        var pki = ControlPlanePki.Create(Path.Combine(run.Path, "pki"));
        var tokens = Users.ToDictionary(u => u, u => $"{u}-{Guid.NewGuid():N}");
        var plane = new LocalControlPlane(assets, run, pki, tokens);
        try
        {
            plane.WriteFiles();
            await plane.StartEtcdAsync(cancellationToken).ConfigureAwait(false);
            await plane.StartApiServerAsync(cancellationToken).ConfigureAwait(false);
            if (withControllers)
            {
                await plane.StartControllerManagerAsync(cancellationToken).ConfigureAwait(false);
            }

            return plane;
        }
        catch
        {
            await plane.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates a namespace with a generated name and returns the name.</summary>
    public async Task<string> CreateNamespaceAsync(string prefix = "t", CancellationToken cancellationToken = default)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["generateName"] = prefix.TrimEnd('-') + "-" },
        };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(new Uri(Server, "/api/v1/namespaces"), content, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Creating a namespace failed: {(int)response.StatusCode} {text}");
        }

        return JsonNode.Parse(text)?["metadata"]?["name"]?.GetValue<string>()
            ?? throw new InvalidOperationException($"The API server returned a namespace without a name: {text}");
    }

    /// <summary>Stops the API server (SIGTERM) and starts it again on the same port.</summary>
    public async Task RestartApiServerAsync(CancellationToken cancellationToken = default)
    {
        await StopApiServerAsync().ConfigureAwait(false);
        await StartApiServerAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Freezes the API server (SIGSTOP): its port stays open and connections stay up, but no
    /// request is answered until <see cref="ThawApiServer"/>, as with a control plane that hangs.
    /// </summary>
    /// <exception cref="InvalidOperationException">The API server is not running.</exception>
    public void FreezeApiServer() =>
        ProcessSignals.Freeze(_apiServer is { HasExited: false } server ? server.Pid : throw new InvalidOperationException("The API server is not running."));

    /// <summary>Lets a frozen API server answer again (SIGCONT). Harmless when it is not frozen.</summary>
    public void ThawApiServer()
    {
        if (_apiServer is { HasExited: false } server)
        {
            ProcessSignals.Thaw(server.Pid);
        }
    }

    public async Task StopApiServerAsync()
    {
        if (_apiServer is not null)
        {
            ThawApiServer();
            await _apiServer.DisposeAsync().ConfigureAwait(false);
            _apiServer = null;
        }
    }

    /// <summary>Starts the API server (again) and waits until /readyz passes.</summary>
    public async Task StartApiServerAsync(CancellationToken cancellationToken = default)
    {
        if (_apiServer is { HasExited: false })
        {
            return;
        }

        _apiServer = ChildProcess.Start("kube-apiserver", _assets.ApiServer, ApiServerArguments(), _run.Path);
        await WaitUntilAsync(_apiServer, () => IsOkAsync(new Uri(Server, "/readyz"), cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    public async Task StartControllerManagerAsync(CancellationToken cancellationToken = default)
    {
        if (_controllerManager is { HasExited: false })
        {
            return;
        }

        string[] arguments =
        [
            $"--kubeconfig={KubeconfigPath}",
            "--leader-elect=false",
            $"--service-account-private-key-file={Pki.ServiceAccountKeyFile}",
            $"--root-ca-file={Pki.CaCertFile}",
            // No kubelet posts node heartbeats here, so node lifecycle would evict every pod.
            "--controllers=*,-nodelifecycle",
            "--secure-port=0",
            "--port=0",
            "--cluster-cidr=10.200.0.0/16",
            "--v=1",
        ];
        _controllerManager = ChildProcess.Start("kube-controller-manager", _assets.ControllerManager, arguments, _run.Path);

        // Ready when the token controller has given the default service account its token secret:
        // before that the ServiceAccount admission plugin rejects every pod.
        await WaitUntilAsync(_controllerManager, () => HasDefaultServiceAccountTokenAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    public async Task StopControllerManagerAsync()
    {
        if (_controllerManager is not null)
        {
            await _controllerManager.DisposeAsync().ConfigureAwait(false);
            _controllerManager = null;
        }
    }

    /// <summary>Compacts etcd at its current revision so that older resourceVersions are gone.</summary>
    public async Task<long> CompactEtcdAsync(CancellationToken cancellationToken = default)
    {
        using var etcdHttp = new HttpClient();
        // A range read returns the store's current revision in its header.
        var range = new JsonObject { ["key"] = Convert.ToBase64String("/"u8), ["limit"] = "1" };
        using var rangeContent = new StringContent(range.ToJsonString(), Encoding.UTF8, "application/json");
        using var rangeResponse = await etcdHttp.PostAsync(new Uri($"{EtcdUrl}/v3/kv/range"), rangeContent, cancellationToken).ConfigureAwait(false);
        rangeResponse.EnsureSuccessStatusCode();
        var header = JsonNode.Parse(await rangeResponse.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))?["header"];
        var revision = long.Parse(header?["revision"]?.GetValue<string>() ?? throw new InvalidOperationException("etcd returned no revision"), CultureInfo.InvariantCulture);

        var compaction = new JsonObject { ["revision"] = revision.ToString(CultureInfo.InvariantCulture), ["physical"] = true };
        using var compactContent = new StringContent(compaction.ToJsonString(), Encoding.UTF8, "application/json");
        using var compactResponse = await etcdHttp.PostAsync(new Uri($"{EtcdUrl}/v3/kv/compaction"), compactContent, cancellationToken).ConfigureAwait(false);
        var text = await compactResponse.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!compactResponse.IsSuccessStatusCode && !text.Contains("already been compacted", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"etcd compaction failed: {text}");
        }

        return revision;
    }

    /// <summary>Writes a kubeconfig for <paramref name="user"/> (token auth) and returns its path.</summary>
    public string WriteKubeconfig(string user, string? @namespace = null)
    {
        var path = _run.File($"kubeconfig-{user}{(@namespace is null ? "" : "-" + @namespace)}");
        File.WriteAllText(path, Kubeconfig(user, TokenFor(user), @namespace));
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await StopControllerManagerAsync().ConfigureAwait(false);
        await StopApiServerAsync().ConfigureAwait(false);
        if (_etcd is not null)
        {
            await _etcd.DisposeAsync().ConfigureAwait(false);
            _etcd = null;
        }

        Http.Dispose();
        _run.Dispose();
    }

    private void WriteFiles()
    {
        // token,user,uid,"groups"
        var lines = Users.Select(u => u == "admin"
            ? $"{_tokens[u]},{u},{u},\"system:masters\""
            : $"{_tokens[u]},{u},{u}");
        File.WriteAllLines(_run.File("tokens.csv"), lines);
        File.WriteAllText(_run.File("audit-policy.yaml"), AuditLog.Policy);
        File.WriteAllText(KubeconfigPath, Kubeconfig("admin", _tokens["admin"], null));
    }

    private string Kubeconfig(string user, string token, string? @namespace)
    {
        var ca = Convert.ToBase64String(Encoding.ASCII.GetBytes(Pki.CaCertPem));
        var ns = @namespace is null ? "" : $"\n    namespace: {@namespace}";
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: envtest
              cluster:
                server: {Server.ToString().TrimEnd('/')}
                certificate-authority-data: {ca}
            users:
            - name: {user}
              user:
                token: {token}
            contexts:
            - name: {user}@envtest
              context:
                cluster: envtest
                user: {user}{ns}
            current-context: {user}@envtest
            """;
    }

    private async Task StartEtcdAsync(CancellationToken cancellationToken)
    {
        var data = Path.Combine(_run.FastPath ?? _run.Path, "etcd");
        string[] arguments =
        [
            "--name=envtest",
            $"--data-dir={data}",
            $"--listen-client-urls={EtcdUrl}",
            $"--advertise-client-urls={EtcdUrl}",
            $"--listen-peer-urls=http://127.0.0.1:{_etcdPeerPort}",
            $"--initial-advertise-peer-urls=http://127.0.0.1:{_etcdPeerPort}",
            $"--initial-cluster=envtest=http://127.0.0.1:{_etcdPeerPort}",
            "--log-level=warn",
        ];
        _etcd = ChildProcess.Start("etcd", _assets.Etcd, arguments, _run.Path);
        using var plain = new HttpClient();
        await WaitUntilAsync(_etcd, () => IsOkAsync(plain, new Uri($"{EtcdUrl}/health"), cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private string[] ApiServerArguments() =>
    [
        $"--etcd-servers={EtcdUrl}",
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        $"--secure-port={ApiServerPort}",
        "--insecure-port=0",
        $"--tls-cert-file={Pki.ServingCertFile}",
        $"--tls-private-key-file={Pki.ServingKeyFile}",
        $"--client-ca-file={Pki.CaCertFile}",
        $"--token-auth-file={_run.File("tokens.csv")}",
        "--authorization-mode=RBAC",
        $"--service-account-key-file={Pki.ServiceAccountPublicKeyFile}",
        $"--service-account-signing-key-file={Pki.ServiceAccountKeyFile}",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-cluster-ip-range=10.0.0.0/24",
        "--allow-privileged=true",
        // Keeps the serving/terminating endpoint conditions (alpha in 1.20, on by default later).
        "--feature-gates=EndpointSliceTerminatingCondition=true",
        // Fairness queues add latency and goroutines that a one-user test server does not need.
        "--enable-priority-and-fairness=false",
        "--profiling=false",
        $"--audit-policy-file={_run.File("audit-policy.yaml")}",
        $"--audit-log-path={AuditLogPath}",
        // Tests read the log while the server runs: write each event at once, never rotate.
        "--audit-log-mode=blocking",
        "--audit-log-maxsize=0",
        "--v=1",
    ];

    private async Task<bool> HasDefaultServiceAccountTokenAsync(CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync(new Uri(Server, "/api/v1/namespaces/default/serviceaccounts/default"), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return false;
        }

        var account = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        return account?["secrets"] is JsonArray { Count: > 0 };
    }

    private Task<bool> IsOkAsync(Uri uri, CancellationToken cancellationToken) => IsOkAsync(Http, uri, cancellationToken);

    private static async Task<bool> IsOkAsync(HttpClient client, Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var response = await client.GetAsync(uri, timeout.Token).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task WaitUntilAsync(ChildProcess process, Func<Task<bool>> ready, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.Name} exited during start. Last log lines ({process.LogFile}):\n{process.Tail()}");
            }

            if (await ready().ConfigureAwait(false))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{process.Name} was not ready within {StartTimeout.TotalSeconds} s. Last log lines ({process.LogFile}):\n{process.Tail()}");
            }

            // Polling interval: short against a ~10 s start, long enough not to load two cores.
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    private static HttpClient CreateHttpClient(ControlPlanePki pki, string token)
    {
        var ca = pki.LoadCa();
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    if (errors == SslPolicyErrors.None)
                    {
                        return true;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                },
            },
        };
        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
