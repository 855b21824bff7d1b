using System.Text;
using System.Text.Json.Nodes;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.LocalCluster.ControlPlane;
using DataCluster.LocalCluster.LocalNode;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataCluster.LocalCluster;

/// <summary>
/// Everything DataCluster needs, on this machine: etcd, kube-apiserver and
/// kube-controller-manager, the DataCluster CRD, the operator as its own process, and a
/// <see cref="LocalNode.LocalNode"/> that runs the member pods' agents as processes. Used by the
/// end-to-end tests and the demo.
/// </summary>
/// <remarks>
/// Thread-safe for reads. <see cref="StartOperatorAsync"/> and <see cref="StopOperatorAsync"/>
/// are for one caller at a time. Disposing stops the node, the operator and the control plane;
/// a crashed caller leaves nothing behind (the run directory's watchdog kills the children).
/// </remarks>
public sealed class Cluster : IAsyncDisposable
{
    /// <summary>The API server establishes a CRD within a second or two; this only catches hangs.</summary>
    private static readonly TimeSpan CrdEstablishTimeout = TimeSpan.FromSeconds(60);

    private readonly ClusterOptions _options;
    private readonly SemaphoreSlim _operatorGate = new(1, 1);
    private ChildProcess? _operatorProcess;

    private Cluster(ClusterOptions options, LocalControlPlane plane, KubeClient admin, string operatorKubeconfig)
    {
        _options = options;
        Plane = plane;
        Admin = admin;
        OperatorKubeconfig = operatorKubeconfig;
    }

    public LocalControlPlane Plane { get; }

    /// <summary>A client with every right (system:masters).</summary>
    public KubeClient Admin { get; }

    /// <summary>The admin kubeconfig, for kubectl.</summary>
    public string KubeconfigPath => Plane.KubeconfigPath;

    /// <summary>The kubeconfig the operator runs with.</summary>
    public string OperatorKubeconfig { get; }

    public LocalNode.LocalNode Node { get; private set; } = null!;

    /// <summary>The operator's log file (all of its runs, appended).</summary>
    public string OperatorLog => Path.Combine(Plane.RunDirectory, "operator.log");

    public bool OperatorRunning => _operatorProcess is { HasExited: false };

    /// <summary>The user name the agents of <paramref name="cluster"/> in <paramref name="namespace"/> act as.</summary>
    public static string AgentUser(string @namespace, string cluster) => $"system:serviceaccount:{@namespace}:{cluster}-agent";

    /// <summary>Starts everything; the operator and the node run when this returns.</summary>
    public static async Task<Cluster> StartAsync(EnvtestAssets assets, ClusterOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assets);
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(options.AgentExecutable))
        {
            throw new FileNotFoundException($"The published agent {options.AgentExecutable} does not exist. Run 'make publish-agent' first.", options.AgentExecutable);
        }

        var plane = await LocalControlPlane.StartAsync(assets, withControllers: true, cancellationToken).ConfigureAwait(false);
        Cluster? cluster = null;
        try
        {
            var admin = new KubeClient(KubeConfig.FromFile(plane.KubeconfigPath));
            await InstallCrdAsync(plane, options.CrdManifest, cancellationToken).ConfigureAwait(false);
            var operatorKubeconfig = plane.KubeconfigPath;
            if (options.GrantOperatorRights is { } grant)
            {
                await grant(admin, cancellationToken).ConfigureAwait(false);
                operatorKubeconfig = plane.WriteKubeconfig(options.OperatorUser);
            }

            cluster = new Cluster(options, plane, admin, operatorKubeconfig);
            var loggers = options.LoggerFactory ?? NullLoggerFactory.Instance;
            var defaults = new LocalNodeOptions { ApiServer = plane.Server, CertificateAuthorityPem = plane.Pki.CaCertPem };
            cluster.Node = await LocalNode.LocalNode.StartAsync(
                admin,
                defaults with
                {
                    Nodes = options.Nodes ?? defaults.Nodes,
                    FirstPodAddress = options.FirstPodAddress ?? defaults.FirstPodAddress,
                    Images = LocalImages.Map(options.AgentImage, options.AgentExecutable),
                },
                loggers.CreateLogger("LocalNode"),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            await cluster.StartOperatorAsync(cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await plane.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Starts the operator process unless it runs.</summary>
    public async Task StartOperatorAsync(CancellationToken cancellationToken = default)
    {
        await _operatorGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (OperatorRunning)
            {
                return;
            }

            if (_operatorProcess is not null)
            {
                await _operatorProcess.DisposeAsync().ConfigureAwait(false);
            }

            var environment = new Dictionary<string, string>(_options.OperatorEnvironment, StringComparer.Ordinal)
            {
                ["KUBECONFIG"] = OperatorKubeconfig,
            };
            _operatorProcess = ChildProcess.Start(
                "operator",
                _options.Operator.FileName,
                [.. _options.Operator.Arguments, .. _options.OperatorArguments],
                Plane.RunDirectory,
                environment);
        }
        finally
        {
            _operatorGate.Release();
        }
    }

    /// <summary>Stops the operator (SIGTERM, then SIGKILL after <paramref name="grace"/>); the data plane keeps running.</summary>
    public async Task StopOperatorAsync(TimeSpan? grace = null)
    {
        await _operatorGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_operatorProcess is not null)
            {
                await _operatorProcess.StopAsync(grace ?? TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                await _operatorProcess.DisposeAsync().ConfigureAwait(false);
                _operatorProcess = null;
            }
        }
        finally
        {
            _operatorGate.Release();
        }
    }

    /// <summary>The last lines of the operator's log, for failure messages.</summary>
    public string OperatorLogTail(int lines = 40) => Tail(OperatorLog, lines);

    /// <summary>The last lines of a file that may be written to meanwhile.</summary>
    public static string Tail(string path, int lines)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"({path} unreadable: {e.Message})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Node is not null)
        {
            await Node.DisposeAsync().ConfigureAwait(false);
        }

        await StopOperatorAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        Admin.Dispose();
        await Plane.DisposeAsync().ConfigureAwait(false);
        _operatorGate.Dispose();
    }

    /// <summary>Creates the CRD from its manifest (or replaces it) and waits until it is Established.</summary>
    private static async Task InstallCrdAsync(LocalControlPlane plane, string manifest, CancellationToken cancellationToken)
    {
        var documents = Manifests.Parse(await File.ReadAllTextAsync(manifest, cancellationToken).ConfigureAwait(false));
        var collection = new Uri(plane.Server, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
        foreach (var crd in documents.Where(d => (string?)d["kind"] == "CustomResourceDefinition"))
        {
            var name = (string?)crd["metadata"]?["name"] ?? throw new InvalidDataException($"{manifest}: a CustomResourceDefinition without metadata.name.");
            using var content = new StringContent(crd.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await plane.Http.PostAsync(collection, content, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Installing {name} from {manifest} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
            }

            var deadline = DateTime.UtcNow + CrdEstablishTimeout;
            while (!await IsEstablishedAsync(plane, new Uri(collection + "/" + name), cancellationToken).ConfigureAwait(false))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"The CRD {name} was not Established within {CrdEstablishTimeout.TotalSeconds:0} s.");
                }

                // The API server establishes a CRD within a second or two.
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<bool> IsEstablishedAsync(LocalControlPlane plane, Uri crd, CancellationToken cancellationToken)
    {
        using var response = await plane.Http.GetAsync(crd, cancellationToken).ConfigureAwait(false);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        return body?["status"]?["conditions"] is JsonArray conditions
            && conditions.Any(c => (string?)c?["type"] == "Established" && (string?)c?["status"] == "True");
    }
}
