using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Testing;
using static DataCluster.Kube.Tests.Integration.Api;

namespace DataCluster.Kube.Tests.Integration;

public sealed class RbacTests(ControlPlaneFixture fixture)
{
    [Fact]
    public async Task A_request_RBAC_forbids_raises_Forbidden_with_the_servers_message()
    {
        var ns = await fixture.CreateNamespaceAsync("rbac");
        using var alice = As(fixture, "alice");

        var error = await Assert.ThrowsAsync<ForbiddenException>(() => alice.ListAsync(KubeResources.Secrets, ns, cancellationToken: Ct));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("Forbidden", error.Reason);
        Assert.Contains($"User \"alice\" cannot list resource \"secrets\" in API group \"\" in the namespace \"{ns}\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Granting_a_role_lets_the_same_request_through()
    {
        var ns = await fixture.CreateNamespaceAsync("rbac");
        using var admin = Admin(fixture);
        using var bob = As(fixture, "bob");
        await Assert.ThrowsAsync<ForbiddenException>(() => bob.ListAsync(KubeResources.ConfigMaps, ns, cancellationToken: Ct));

        await admin.CreateAsync(KubeResources.Roles, new Role
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = "read-configmaps" },
            Rules = [new PolicyRule { ApiGroups = [""], Resources = ["configmaps"], Verbs = ["get", "list", "watch"] }],
        }, Ct);
        await admin.CreateAsync(KubeResources.RoleBindings, new RoleBinding
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = "bob-reads" },
            RoleRef = new RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "read-configmaps" },
            Subjects = [new Subject { Kind = "User", ApiGroup = "rbac.authorization.k8s.io", Name = "bob" }],
        }, Ct);

        // The API server's authorizer reads roles and bindings through its own informers, so a
        // grant takes effect shortly after it is stored, not at once: a 403 until then is retried.
        var list = await Eventually.UntilAsync(
            async () => (KubeList<ConfigMap>?)await bob.ListAsync(KubeResources.ConfigMaps, ns, cancellationToken: Ct),
            TimeSpan.FromSeconds(30),
            "bob's grant takes effect");
        Assert.NotNull(list.Items);
    }

    [Fact]
    public async Task A_wrong_token_raises_Unauthorized()
    {
        using var stranger = new KubeClient(KubeConfig.FromFile(fixture.KubeconfigPath) with { Token = "not-a-valid-token" });
        var error = await Assert.ThrowsAsync<UnauthorizedException>(() => stranger.ListAsync(KubeResources.Namespaces, null, cancellationToken: Ct));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
    }
}
