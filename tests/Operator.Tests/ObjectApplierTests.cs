using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;
using DataCluster.Operator.Controllers;
using Moq;
using Xunit;

namespace DataCluster.Operator.Tests;

/// <summary>
/// Which requests the applier makes: these tests are about the call sequence (look up before
/// taking a name, apply with our field manager and force, write nothing when nothing changed),
/// so the API is a strict mock that states the expected calls and refuses any other.
/// </summary>
public class ObjectApplierTests
{
    private const string FieldManager = "datacluster-operator";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ConfigMap Desired(string value = "1", string owner = "uid-1") => new()
    {
        Metadata = new ObjectMeta
        {
            Name = "demo-x",
            Namespace = "ns",
            OwnerReferences = [new OwnerReference { ApiVersion = "datacluster.dev/v1alpha1", Kind = "DataCluster", Name = "demo", Uid = owner, Controller = true }],
        },
        Data = new() { ["k"] = value },
    };

    /// <summary>What the server answers to an apply: the object with a new resourceVersion and a defaulted field.</summary>
    private static ConfigMap Applied(ConfigMap sent, string resourceVersion)
    {
        var copy = KubeResources.ConfigMaps.Read(KubeResources.ConfigMaps.Serialize(sent));
        copy.Metadata.ResourceVersion = resourceVersion;
        copy.Metadata.Annotations = new() { ["server/default"] = "added" };
        return copy;
    }

    private static bool IsOurForcedApply(ApplyOptions options) => options == new ApplyOptions(FieldManager, Force: true);

    private static void ExpectApply(Mock<IKubeClient> client, string value, string resourceVersion) =>
        client.Setup(c => c.ApplyAsync(KubeResources.ConfigMaps, It.Is<ConfigMap>(m => m.Metadata.Name == "demo-x" && m.Data!["k"] == value), It.Is<ApplyOptions>(o => IsOurForcedApply(o)), It.IsAny<CancellationToken>()))
            .ReturnsAsync((ResourceType<ConfigMap> _, ConfigMap sent, ApplyOptions _, CancellationToken _) => Applied(sent, resourceVersion));

    [Fact]
    public async Task A_missing_object_is_looked_up_then_applied_with_the_field_manager_and_force()
    {
        var client = new Mock<IKubeClient>(MockBehavior.Strict);
        var sequence = new MockSequence();
        client.InSequence(sequence).Setup(c => c.GetAsync(KubeResources.ConfigMaps, "ns", "demo-x", It.IsAny<CancellationToken>())).ReturnsAsync((ConfigMap?)null);
        client.InSequence(sequence).Setup(c => c.ApplyAsync(KubeResources.ConfigMaps, It.IsAny<ConfigMap>(), It.Is<ApplyOptions>(o => IsOurForcedApply(o)), It.IsAny<CancellationToken>()))
            .ReturnsAsync((ResourceType<ConfigMap> _, ConfigMap sent, ApplyOptions _, CancellationToken _) => Applied(sent, "101"));
        var applier = new ObjectApplier(client.Object, client.Object, FieldManager);

        var ensured = await applier.EnsureAsync(KubeResources.ConfigMaps, Desired(), null, "uid-1", null, Ct);

        Assert.Equal(EnsureResult.Applied, ensured.Result);
        Assert.Equal("101", ensured.Object!.Metadata.ResourceVersion);
        client.Verify(c => c.GetAsync(KubeResources.ConfigMaps, "ns", "demo-x", It.IsAny<CancellationToken>()), Times.Once);
        client.Verify(c => c.ApplyAsync(KubeResources.ConfigMaps, It.IsAny<ConfigMap>(), It.IsAny<ApplyOptions>(), It.IsAny<CancellationToken>()), Times.Once);
        client.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task A_live_object_that_has_everything_desired_is_not_written()
    {
        var client = new Mock<IKubeClient>(MockBehavior.Strict);
        ExpectApply(client, "2", "102");
        var applier = new ObjectApplier(client.Object, client.Object, FieldManager);
        var live = Applied(Desired(), "101");

        var again = await applier.EnsureAsync(KubeResources.ConfigMaps, Desired(), live, "uid-1", null, Ct);
        var changed = await applier.EnsureAsync(KubeResources.ConfigMaps, Desired("2"), live, "uid-1", null, Ct);

        Assert.Equal(EnsureResult.Unchanged, again.Result);
        Assert.Equal(EnsureResult.Applied, changed.Result);
        client.Verify(c => c.ApplyAsync(KubeResources.ConfigMaps, It.Is<ConfigMap>(m => m.Data!["k"] == "2"), It.IsAny<ApplyOptions>(), It.IsAny<CancellationToken>()), Times.Once);
        client.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task A_repeat_of_the_last_apply_against_its_own_result_or_an_older_cached_version_is_skipped()
    {
        var client = new Mock<IKubeClient>(MockBehavior.Strict);
        client.Setup(c => c.GetAsync(KubeResources.ConfigMaps, "ns", "demo-x", It.IsAny<CancellationToken>())).ReturnsAsync((ConfigMap?)null);
        ExpectApply(client, "1", "101");
        var applier = new ObjectApplier(client.Object, client.Object, FieldManager);
        var result = (await applier.EnsureAsync(KubeResources.ConfigMaps, Desired(), null, "uid-1", null, Ct)).Object!;

        // The server dropped a field the comparison expects (as some versions drop fields), so
        // the comparison alone would write forever.
        var normalized = result;
        normalized.Data = new() { ["k"] = "normalized" };
        var stale = Desired("old");
        stale.Metadata.ResourceVersion = "50";

        Assert.Equal(EnsureResult.Unchanged, (await applier.EnsureAsync(KubeResources.ConfigMaps, Desired(), normalized, "uid-1", null, Ct)).Result);
        Assert.Equal(EnsureResult.Unchanged, (await applier.EnsureAsync(KubeResources.ConfigMaps, Desired(), stale, "uid-1", null, Ct)).Result);
        client.Verify(c => c.ApplyAsync(KubeResources.ConfigMaps, It.IsAny<ConfigMap>(), It.IsAny<ApplyOptions>(), It.IsAny<CancellationToken>()), Times.Once);

        normalized.Metadata.ResourceVersion = "999"; // someone else changed it since
        Assert.Equal(EnsureResult.Applied, (await applier.EnsureAsync(KubeResources.ConfigMaps, Desired(), normalized, "uid-1", null, Ct)).Result);
        client.Verify(c => c.ApplyAsync(KubeResources.ConfigMaps, It.IsAny<ConfigMap>(), It.IsAny<ApplyOptions>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task An_object_owned_by_someone_else_is_left_alone()
    {
        var client = new Mock<IKubeClient>(MockBehavior.Strict);
        client.Setup(c => c.GetAsync(KubeResources.ConfigMaps, "ns", "demo-x", It.IsAny<CancellationToken>())).ReturnsAsync(Desired(owner: "someone-else"));
        var applier = new ObjectApplier(client.Object, client.Object, FieldManager);

        var ensured = await applier.EnsureAsync(KubeResources.ConfigMaps, Desired(), null, "uid-1", null, Ct);

        Assert.Equal(EnsureResult.Blocked, ensured.Result);
        client.Verify(c => c.GetAsync(KubeResources.ConfigMaps, "ns", "demo-x", It.IsAny<CancellationToken>()), Times.Once);
        client.VerifyNoOtherCalls();
    }
}
