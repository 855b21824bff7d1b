using System.Net;
using System.Text.Json.Nodes;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Kube.Tests.Support;
using DataCluster.Kube.Watch;

namespace DataCluster.Kube.Tests.Client;

/// <summary>What the client puts on the wire, checked against an in-memory endpoint.</summary>
public sealed class KubeClientRequestTests
{
    private const string ConfigMapJson = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"ns","resourceVersion":"7"},"data":{"k":"v"}}""";

    private static readonly KubeConfig Config = new()
    {
        Server = new Uri("https://api.example:6443/prefix/"),
        Token = "secret-token",
        ImpersonateUser = "someone",
        ImpersonateGroups = ["g1", "g2"],
    };

    private static (KubeClient Client, StubHandler Handler) Create(Func<HttpRequestMessage, string, HttpResponseMessage>? respond = null, KubeClientOptions? options = null)
    {
        var handler = new StubHandler(respond ?? ((_, _) => StubHandler.Json(HttpStatusCode.OK, ConfigMapJson)));
        return (new KubeClient(Config, handler, options), handler);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Requests_carry_credentials_impersonation_and_a_user_agent_under_the_servers_path()
    {
        var (client, handler) = Create();
        using (client)
        {
            await client.GetAsync(KubeResources.ConfigMaps, "ns", "c", Ct);
        }

        var (request, _) = Assert.Single(handler.Requests);
        Assert.Equal("https://api.example:6443/prefix/api/v1/namespaces/ns/configmaps/c", request.RequestUri!.AbsoluteUri);
        Assert.Equal("Bearer secret-token", request.Headers.Authorization!.ToString());
        Assert.Equal(["someone"], request.Headers.GetValues("Impersonate-User"));
        Assert.Equal(["g1", "g2"], request.Headers.GetValues("Impersonate-Group"));
        Assert.StartsWith("datacluster/", request.Headers.UserAgent.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_401_after_the_token_file_was_rotated_is_retried_once_with_the_new_token()
    {
        var directory = Directory.CreateTempSubdirectory("datacluster-token-");
        try
        {
            var path = Path.Combine(directory.FullName, "token");
            File.WriteAllText(path, "old");
            var handler = new StubHandler((request, _) => request.Headers.Authorization!.Parameter == "new"
                ? StubHandler.Json(HttpStatusCode.Created, ConfigMapJson)
                : StubHandler.Json(HttpStatusCode.Unauthorized, """{"kind":"Status","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"""));
            using var client = new KubeClient(new KubeConfig { Server = new Uri("https://api.example:6443/"), TokenFile = path }, handler);

            // The first request reads and caches "old"; the server rejects it.
            await Assert.ThrowsAsync<UnauthorizedException>(() => client.GetAsync(KubeResources.ConfigMaps, "ns", "c", Ct));
            Assert.Single(handler.Requests);

            // The kubelet rotates the token, keeping the modification time, so the cache still holds "old".
            var kept = File.GetLastWriteTimeUtc(path);
            File.WriteAllText(path, "new");
            File.SetLastWriteTimeUtc(path, kept);
            var desired = new ConfigMap { Metadata = new ObjectMeta { Name = "c", Namespace = "ns" }, Data = new() { ["k"] = "v" } };
            var created = await client.CreateAsync(KubeResources.ConfigMaps, desired, Ct);

            Assert.Equal("7", created.Metadata.ResourceVersion);
            var requests = handler.Requests.ToArray();
            Assert.Equal(3, requests.Length);
            Assert.Equal(["Bearer old", "Bearer old", "Bearer new"], requests.Select(r => r.Request.Headers.Authorization!.ToString()));
            Assert.Equal(HttpMethod.Post, requests[2].Request.Method);
            Assert.Equal(requests[1].Body, requests[2].Body);
            Assert.Contains("\"k\":\"v\"", requests[2].Body, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task List_and_watch_put_their_options_in_the_query()
    {
        var (client, handler) = Create((request, _) => request.RequestUri!.Query.Contains("watch=true", StringComparison.Ordinal)
            ? StubHandler.Json(HttpStatusCode.OK, "")
            : StubHandler.Json(HttpStatusCode.OK, """{"kind":"ConfigMapList","metadata":{"resourceVersion":"9"},"items":[]}"""));
        using (client)
        {
            await client.ListAsync(KubeResources.ConfigMaps, null, new ListOptions { LabelSelector = "a in (x,y)", FieldSelector = "metadata.name=c", Limit = 5, Continue = "tok", ResourceVersion = "0" }, Ct);
            await foreach (var unused in client.WatchAsync(KubeResources.ConfigMaps, "ns", new WatchOptions { ResourceVersion = "9", LabelSelector = "a=b", TimeoutSeconds = 60 }, Ct))
            {
            }
        }

        var requests = handler.Requests.Select(r => r.Request.RequestUri!.PathAndQuery).ToList();
        Assert.Equal("/prefix/api/v1/configmaps?labelSelector=a%20in%20%28x%2Cy%29&fieldSelector=metadata.name%3Dc&limit=5&continue=tok&resourceVersion=0", requests[0]);
        Assert.Equal("/prefix/api/v1/namespaces/ns/configmaps?watch=true&resourceVersion=9&allowWatchBookmarks=true&labelSelector=a%3Db&timeoutSeconds=60", requests[1]);
    }

    [Fact]
    public async Task Writes_use_the_right_verbs_content_types_and_bodies()
    {
        var (client, handler) = Create();
        using (client)
        {
            var cm = new ConfigMap { Metadata = new ObjectMeta { Namespace = "ns", Name = "c", ResourceVersion = "7" }, Data = new() { ["k"] = "v" } };
            await client.CreateAsync(KubeResources.ConfigMaps, cm, Ct);
            await client.UpdateAsync(KubeResources.ConfigMaps, cm, Ct);
            await client.MergePatchAsync(KubeResources.ConfigMaps, "ns", "c", new JsonObject { ["data"] = new JsonObject { ["k"] = null } }, Ct);
            await client.ApplyAsync(KubeResources.ConfigMaps, cm, new ApplyOptions("me", Force: true), Ct);
            await client.UpdateStatusAsync(KubeResources.ConfigMaps, cm, Ct);
            await client.DeleteAsync(KubeResources.ConfigMaps, "ns", "c", new DeleteOptions { PropagationPolicy = PropagationPolicy.Foreground, PreconditionUid = "u1", GracePeriodSeconds = 0 }, Ct);
        }

        var r = handler.Requests.ToList();
        Assert.Equal(("POST", "/prefix/api/v1/namespaces/ns/configmaps", "application/json"), Describe(r[0].Request));
        Assert.Contains("\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"", r[0].Body, StringComparison.Ordinal);
        Assert.Equal(("PUT", "/prefix/api/v1/namespaces/ns/configmaps/c", "application/json"), Describe(r[1].Request));
        Assert.Contains("\"resourceVersion\":\"7\"", r[1].Body, StringComparison.Ordinal);
        Assert.Equal(("PATCH", "/prefix/api/v1/namespaces/ns/configmaps/c", "application/merge-patch+json"), Describe(r[2].Request));
        Assert.Equal("""{"data":{"k":null}}""", r[2].Body);
        Assert.Equal(("PATCH", "/prefix/api/v1/namespaces/ns/configmaps/c?fieldManager=me&force=true", "application/apply-patch+yaml"), Describe(r[3].Request));
        Assert.Equal(("PUT", "/prefix/api/v1/namespaces/ns/configmaps/c/status", "application/json"), Describe(r[4].Request));
        Assert.Equal(("DELETE", "/prefix/api/v1/namespaces/ns/configmaps/c", "application/json"), Describe(r[5].Request));
        Assert.Equal("""{"apiVersion":"v1","kind":"DeleteOptions","propagationPolicy":"Foreground","gracePeriodSeconds":0,"preconditions":{"uid":"u1"}}""", r[5].Body);
    }

    private static (string, string, string?) Describe(HttpRequestMessage request) =>
        (request.Method.Method, request.RequestUri!.PathAndQuery, request.Content?.Headers.ContentType?.MediaType);

    [Fact]
    public async Task Get_of_a_missing_object_returns_null_and_other_errors_throw()
    {
        var (client, _) = Create((request, _) => request.RequestUri!.AbsolutePath.EndsWith("/missing", StringComparison.Ordinal)
            ? StubHandler.Json(HttpStatusCode.NotFound, """{"kind":"Status","reason":"NotFound","message":"configmaps \"missing\" not found","code":404}""")
            : StubHandler.Json(HttpStatusCode.Forbidden, """{"kind":"Status","reason":"Forbidden","message":"nope","code":403}"""));
        using (client)
        {
            Assert.Null(await client.GetAsync(KubeResources.ConfigMaps, "ns", "missing", Ct));
            var error = await Assert.ThrowsAsync<ForbiddenException>(() => client.GetAsync(KubeResources.ConfigMaps, "ns", "other", Ct));
            Assert.Equal("nope", error.Message);
        }
    }

    [Fact]
    public async Task A_namespaced_object_without_a_namespace_is_refused_before_sending()
    {
        var (client, handler) = Create();
        using (client)
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => client.CreateAsync(KubeResources.ConfigMaps, new ConfigMap { Metadata = new ObjectMeta { Name = "c" } }, Ct));
            Assert.Contains("Metadata.Namespace", error.Message, StringComparison.Ordinal);
        }

        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_request_without_an_answer_times_out_with_a_clear_message()
    {
        using var client = new KubeClient(Config, new HangingHandler(), new KubeClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(100) });

        var error = await Assert.ThrowsAsync<TimeoutException>(() => client.ListAsync(KubeResources.ConfigMaps, "ns", cancellationToken: Ct));
        Assert.Contains("GET /api/v1/namespaces/ns/configmaps", error.Message, StringComparison.Ordinal);
    }

    private sealed class HangingHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
