using System.Net;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Tests.Support;

namespace DataCluster.Kube.Tests.Client;

/// <summary>How the client uses an exec plugin's credential: on the wire, after a 401, at start.</summary>
public sealed class KubeClientExecTests : IDisposable
{
    private const string ConfigMapJson = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"ns","resourceVersion":"7"}}""";
    private const string UnauthorizedJson = """{"kind":"Status","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""";

    private readonly ExecPlugins _plugins = new();

    public void Dispose() => _plugins.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private KubeConfig Config(string plugin) => KubeConfig.FromFile(_plugins.WriteKubeconfig("config", new Uri("https://k.example:6443"),
        $"apiVersion: client.authentication.k8s.io/v1\ncommand: {plugin}\ninteractiveMode: Never"));

    private static StubHandler Accepting(string token) => new((request, _) => request.Headers.Authorization?.Parameter == token
        ? StubHandler.Json(HttpStatusCode.OK, ConfigMapJson)
        : StubHandler.Json(HttpStatusCode.Unauthorized, UnauthorizedJson));

    [Fact]
    public async Task Requests_carry_the_plugins_token_and_share_one_run()
    {
        var plugin = _plugins.WriteTokenPlugin("plugin", "tok-$RUN");
        var handler = Accepting("tok-1");
        using var client = new KubeClient(Config(plugin), handler);

        for (var i = 0; i < 3; i++)
        {
            await client.GetAsync(KubeResources.ConfigMaps, "ns", "c", Ct);
        }

        Assert.All(handler.Requests, r => Assert.Equal("Bearer tok-1", r.Request.Headers.Authorization!.ToString()));
        Assert.Equal(1, _plugins.Runs("plugin"));
    }

    [Fact]
    public async Task A_401_runs_the_plugin_again_and_retries_once_with_the_new_token()
    {
        var plugin = _plugins.WriteTokenPlugin("plugin", "tok-$RUN");
        var handler = Accepting("tok-2");
        using var client = new KubeClient(Config(plugin), handler);

        var found = await client.GetAsync(KubeResources.ConfigMaps, "ns", "c", Ct);

        Assert.Equal("7", found!.Metadata.ResourceVersion);
        Assert.Equal(["Bearer tok-1", "Bearer tok-2"], handler.Requests.Select(r => r.Request.Headers.Authorization!.ToString()));
        Assert.Equal(2, _plugins.Runs("plugin"));
    }

    [Fact]
    public async Task A_401_when_the_plugin_returns_the_same_token_again_is_not_retried()
    {
        var plugin = _plugins.WriteTokenPlugin("plugin", "always-the-same");
        var handler = Accepting("something-else");
        using var client = new KubeClient(Config(plugin), handler);

        await Assert.ThrowsAsync<UnauthorizedException>(() => client.GetAsync(KubeResources.ConfigMaps, "ns", "c", Ct));

        Assert.Single(handler.Requests);
        Assert.Equal(2, _plugins.Runs("plugin"));
    }

    [Fact]
    public async Task EnsureCredentials_runs_the_plugin_before_any_request_and_reports_its_failure()
    {
        var good = _plugins.WriteTokenPlugin("good", "tok");
        var handler = Accepting("tok");
        using (var client = new KubeClient(Config(good), handler))
        {
            await client.EnsureCredentialsAsync(Ct);
            Assert.Equal(1, _plugins.Runs("good"));
            Assert.Empty(handler.Requests);
        }

        var bad = _plugins.Write("bad", "echo 'not logged in' >&2; exit 1");
        using var failing = new KubeClient(Config(bad), Accepting("tok"));
        var error = await Assert.ThrowsAsync<KubeConfigException>(() => failing.EnsureCredentialsAsync(Ct));
        Assert.EndsWith($"user 'u': exec plugin {bad} exited with code 1; run it by hand to see why (stderr: not logged in)", error.Message, StringComparison.Ordinal);
    }
}
