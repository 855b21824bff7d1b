using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DataCluster.LocalCluster.ControlPlane;
using DataCluster.Testing;
using Xunit;

[assembly: AssemblyFixture(typeof(ControlPlaneWithControllersFixture))]

namespace DataCluster.LocalCluster.Tests;

public sealed class ControlPlaneTests(ControlPlaneWithControllersFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_test_gets_its_own_namespace()
    {
        var first = await fixture.CreateNamespaceAsync("iso");
        var second = await fixture.CreateNamespaceAsync("iso");

        Assert.NotEqual(first, second);
        Assert.StartsWith("iso-", first, StringComparison.Ordinal);
        using var response = await fixture.Plane.Http.GetAsync(new Uri(fixture.Server, $"/api/v1/namespaces/{first}"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Tokens_authenticate_and_RBAC_authorizes()
    {
        using var alice = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, _, _, _) => true,
        });
        alice.DefaultRequestHeaders.Authorization = new("Bearer", fixture.TokenFor("alice"));
        using var anonymous = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, _, _, _) => true,
        });
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-token");

        using var forbidden = await alice.GetAsync(new Uri(fixture.Server, "/api/v1/namespaces/default/secrets"), Ct);
        using var unauthorized = await anonymous.GetAsync(new Uri(fixture.Server, "/api/v1/namespaces/default/secrets"), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var message = JsonNode.Parse(await forbidden.Content.ReadAsStringAsync(Ct))?["message"]?.GetValue<string>();
        Assert.Contains("User \"alice\" cannot list resource \"secrets\"", message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
    }

    [Fact]
    public async Task Controller_manager_runs_the_service_account_controllers()
    {
        var ns = await fixture.CreateNamespaceAsync("sa");

        // The service-account controller creates "default" in every namespace and the token
        // controller gives it a token secret; pods cannot be created before that.
        await Eventually.UntilAsync(
            async () =>
            {
                using var response = await fixture.Plane.Http.GetAsync(new Uri(fixture.Server, $"/api/v1/namespaces/{ns}/serviceaccounts/default"), Ct);
                return response.IsSuccessStatusCode
                    && JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))?["secrets"] is JsonArray { Count: > 0 };
            },
            TimeSpan.FromSeconds(60),
            "the default service account has a token secret");
    }

    [Fact]
    public async Task Audit_log_records_writes_with_the_user()
    {
        var ns = await fixture.CreateNamespaceAsync("audit");
        var body = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "probe" } };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await fixture.Plane.Http.PostAsync(new Uri(fixture.Server, $"/api/v1/namespaces/{ns}/configmaps"), content, Ct);
        response.EnsureSuccessStatusCode();

        var created = await Eventually.UntilAsync(
            () => Task.FromResult(AuditLog.Read(fixture.Plane.AuditLogPath).FirstOrDefault(e => e.Namespace == ns && e.Name == "probe")),
            TimeSpan.FromSeconds(30),
            "the audit log records the create");
        Assert.Equal(("admin", "create", "configmaps", 201), (created.User, created.Verb, created.Resource, created.Code));
        Assert.True(created.IsWrite);
    }

    [Fact]
    public async Task Served_versions_are_those_of_Kubernetes_1_20()
    {
        using var response = await fixture.Plane.Http.GetAsync(new Uri(fixture.Server, "/apis/discovery.k8s.io"), Ct);
        var group = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct));
        var versions = group?["versions"]?.AsArray().Select(v => v?["version"]?.GetValue<string>() ?? "").ToArray() ?? [];

        Assert.Equal(new[] { "v1beta1" }, versions);
    }

    [Fact]
    public async Task Client_certificate_in_system_masters_is_admin()
    {
        var pki = fixture.Plane.Pki;
        using var cert = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(pki.AdminClientCertFile, pki.AdminClientKeyFile);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        handler.ClientCertificates.Add(cert);
        using var client = new HttpClient(handler);

        using var response = await client.GetAsync(new Uri(fixture.Server, "/api/v1/namespaces/kube-system/secrets"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

/// <summary>A second, private control plane: restarting and compacting disturb other tests.</summary>
[CollectionDefinition(nameof(DisruptiveCollection), DisableParallelization = true)]
public sealed class DisruptiveCollection : ICollectionFixture<ControlPlaneFixture>;

[Collection(nameof(DisruptiveCollection))]
public sealed class DisruptiveControlPlaneTests(ControlPlaneFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Api_server_restarts_on_the_same_port_and_keeps_its_data()
    {
        var ns = await fixture.CreateNamespaceAsync("keep");

        await fixture.RestartApiServerAsync();

        using var response = await fixture.Plane.Http.GetAsync(new Uri(fixture.Server, $"/api/v1/namespaces/{ns}"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Compaction_makes_old_resource_versions_unavailable()
    {
        var ns = await fixture.CreateNamespaceAsync("compact");
        var http = fixture.Plane.Http;
        var path = new Uri(fixture.Server, $"/api/v1/namespaces/{ns}/configmaps");
        string? firstVersion = null;
        for (var i = 0; i < 3; i++)
        {
            var body = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject { ["name"] = $"c{i}" },
            }.ToJsonString();
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var created = await http.PostAsync(path, content, Ct);
            created.EnsureSuccessStatusCode();
            firstVersion ??= JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))?["metadata"]?["resourceVersion"]?.GetValue<string>();
        }

        await fixture.CompactEtcdAsync();

        // A list at an exact compacted revision must fail with 410 Gone.
        using var stale = await http.GetAsync(new Uri(path + $"?resourceVersion={firstVersion}&resourceVersionMatch=Exact"), Ct);
        Assert.Equal(HttpStatusCode.Gone, stale.StatusCode);
    }
}

public sealed class RunDirectoryTests
{
    [Fact]
    public async Task Watchdog_kills_children_and_removes_the_directory_when_the_owner_dies()
    {
        var scratch = Directory.CreateTempSubdirectory("datacluster-owner-").FullName;
        await using var owner = ChildProcess.Start("owner", "/bin/sleep", ["300"], scratch);
        using var run = RunDirectory.Create(owner.Pid);
        var server = ChildProcess.Start("server", "/bin/sleep", ["300"], run.Path);

        await owner.KillAsync();

        // The watchdog looks once a second.
        await Eventually.UntilAsync(
            () => server.HasExited && !Directory.Exists(run.Path),
            TimeSpan.FromSeconds(15),
            "the watchdog kills the child of a dead owner and removes the run directory",
            () => $"child exited: {server.HasExited}; run directory exists: {Directory.Exists(run.Path)}");
        await server.DisposeAsync();
        Directory.Delete(scratch, true);
    }
}
