using DataCluster.LocalCluster.ControlPlane;
using Xunit;

namespace DataCluster.Testing;

/// <summary>
/// One real etcd + kube-apiserver shared by the tests of an assembly or collection
/// (<c>[assembly: AssemblyFixture(typeof(ControlPlaneFixture))]</c> or a collection fixture).
/// Each test takes its own namespace from <see cref="CreateNamespaceAsync"/>.
/// </summary>
/// <remarks>
/// When the binaries are missing, under CI=true start-up fails (so every test using it fails);
/// elsewhere every member throws xunit's skip with a message saying how to get them.
/// Tests that restart the API server or compact etcd disturb parallel tests: give them their own
/// instance through a collection fixture in a collection with DisableParallelization.
/// </remarks>
public class ControlPlaneFixture : IAsyncLifetime
{
    private LocalControlPlane? _plane;
    private string? _unavailable;

    protected virtual bool WithControllers => false;

    /// <summary>The running control plane; skips the calling test when there is none.</summary>
    public LocalControlPlane Plane
    {
        get
        {
            RequireControlPlane();
            return _plane!;
        }
    }

    public string KubeconfigPath => Plane.KubeconfigPath;

    public Uri Server => Plane.Server;

    public string AdminToken => Plane.TokenFor("admin");

    public string CaFile => Plane.Pki.CaCertFile;

    public string TokenFor(string user) => Plane.TokenFor(user);

    public Task<string> CreateNamespaceAsync(string prefix = "t") =>
        Plane.CreateNamespaceAsync(prefix, TestContext.Current.CancellationToken);

    public Task RestartApiServerAsync() => Plane.RestartApiServerAsync(TestContext.Current.CancellationToken);

    public Task StopApiServerAsync() => Plane.StopApiServerAsync();

    public Task StartApiServerAsync() => Plane.StartApiServerAsync(TestContext.Current.CancellationToken);

    public Task CompactEtcdAsync() => Plane.CompactEtcdAsync(TestContext.Current.CancellationToken);

    /// <summary>Skips the current test with a helpful message when no control plane could be started.</summary>
    public void RequireControlPlane()
    {
        if (_plane is null)
        {
            Assert.Skip(_unavailable ?? "The control plane was not started.");
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (!EnvtestAssets.TryLocate(out var assets, out var problem))
        {
            if (Prerequisite.IsCi)
            {
                throw new InvalidOperationException($"CI=true and the real API server cannot start: {problem}");
            }

            _unavailable = $"Skipped: needs a real API server. {problem}";
            return;
        }

        _plane = await LocalControlPlane.StartAsync(assets!, WithControllers).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_plane is not null)
        {
            await _plane.DisposeAsync().ConfigureAwait(false);
            _plane = null;
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// <see cref="ControlPlaneFixture"/> plus kube-controller-manager (StatefulSet controller,
/// garbage collector, service-account token controller; node lifecycle off).
/// </summary>
public class ControlPlaneWithControllersFixture : ControlPlaneFixture
{
    protected override bool WithControllers => true;
}
