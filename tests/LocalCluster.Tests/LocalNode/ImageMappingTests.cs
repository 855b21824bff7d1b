using DataCluster.LocalCluster.LocalNode;
using Xunit;

namespace DataCluster.LocalCluster.Tests.LocalNode;

/// <summary>Which executable stands in for an image, and where listen flags point.</summary>
public sealed class ImageMappingTests
{
    private static readonly LocalNodeOptions Options = new()
    {
        ApiServer = new Uri("https://127.0.0.1:6443"),
        CertificateAuthorityPem = "",
        Images = new Dictionary<string, LocalExecutable>(LocalImages.Map("ghcr.io/datacluster/agent", "/bin/agent", "ghcr.io/datacluster/operator", "/bin/operator"))
        {
            ["example.com/app:1"] = new("/bin/app-1"),
        },
    };

    [Theory]
    [InlineData("ghcr.io/datacluster/operator:0.1.0", "ghcr.io/datacluster/operator")]
    [InlineData("ghcr.io/datacluster/operator@sha256:0123abcd", "ghcr.io/datacluster/operator")]
    [InlineData("ghcr.io/datacluster/operator:0.1.0@sha256:0123abcd", "ghcr.io/datacluster/operator")]
    [InlineData("localhost:5000/agent", "localhost:5000/agent")]
    [InlineData("localhost:5000/agent:dev", "localhost:5000/agent")]
    [InlineData("busybox", "busybox")]
    public void The_repository_is_the_reference_without_tag_and_digest(string image, string repository) =>
        Assert.Equal(repository, ImageReference.Repository(image));

    [Fact]
    public void A_tagged_agent_image_maps_every_tag_of_its_repository_to_the_agent_so_a_rolling_update_runs_it()
    {
        var images = LocalImages.Map("datacluster/agent:e2e", "/bin/agent");
        var options = Options with { Images = images };
        Assert.Equal("/bin/agent", options.ExecutableFor("datacluster/agent:e2e")?.FileName);
        Assert.Equal("/bin/agent", options.ExecutableFor("datacluster/agent:next")?.FileName);
        Assert.Null(options.ExecutableFor("datacluster/agent-extras:e2e"));
    }

    [Theory]
    [InlineData("ghcr.io/datacluster/operator:0.1.0", "/bin/operator")]
    [InlineData("ghcr.io/datacluster/operator:latest", "/bin/operator")]
    [InlineData("ghcr.io/datacluster/operator", "/bin/operator")]
    [InlineData("ghcr.io/datacluster/agent:0.1.0", "/bin/agent")]
    [InlineData("example.com/app:1", "/bin/app-1")]
    [InlineData("example.com/app:2", null)]
    [InlineData("ghcr.io/datacluster/operator-extras:1", null)]
    [InlineData("busybox:1.36", null)]
    [InlineData(null, null)]
    public void A_repository_key_matches_every_tag_and_a_tagged_key_only_its_own(string? image, string? executable) =>
        Assert.Equal(executable, Options.ExecutableFor(image)?.FileName);

    [Fact]
    public void Only_the_operator_gets_its_listen_flags_rewritten()
    {
        Assert.Equal(["--metrics-bind-address", "--health-probe-bind-address"], Options.ExecutableFor("ghcr.io/datacluster/operator:1")!.ListenFlags);
        Assert.Empty(Options.ExecutableFor("ghcr.io/datacluster/agent:1")!.ListenFlags);
    }

    [Theory]
    [InlineData("app.kubernetes.io/name=datacluster", true)]
    [InlineData("app.kubernetes.io/name=datacluster,tier=x", true)]
    [InlineData("app.kubernetes.io/name=datacluster-operator", false)]
    [InlineData("", false)]
    public void Unmapped_containers_are_the_users_app_only_in_member_pods(string labels, bool app)
    {
        var parsed = labels.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')).ToDictionary(p => p[0], p => p[1]);

        Assert.Equal(app, Options.IsAppPod(parsed));
    }

    [Theory]
    [InlineData("--metrics-bind-address=:8080", "--metrics-bind-address=127.0.3.10:8080")]
    [InlineData("--metrics-bind-address=0.0.0.0:8080", "--metrics-bind-address=127.0.3.10:8080")]
    [InlineData("--metrics-bind-address=[::]:8080", "--metrics-bind-address=127.0.3.10:8080")]
    [InlineData("--metrics-bind-address=*:8080", "--metrics-bind-address=127.0.3.10:8080")]
    [InlineData("--metrics-bind-address=127.0.0.1:8080", "--metrics-bind-address=127.0.0.1:8080")]
    [InlineData("--metrics-bind-address=0", "--metrics-bind-address=0")]
    [InlineData("--health-probe-bind-address=:8081", "--health-probe-bind-address=127.0.3.10:8081")]
    [InlineData("--log-level=:8080", "--log-level=:8080")]
    public void Every_address_listen_flags_move_to_the_pod_address(string argument, string expected) =>
        Assert.Equal([expected], ListenArguments.Rewrite([argument], ["--metrics-bind-address", "--health-probe-bind-address"], "127.0.3.10"));

    [Fact]
    public void A_listen_flag_with_its_value_as_the_next_argument_moves_too() =>
        Assert.Equal(
            ["--leader-elect=true", "--metrics-bind-address", "127.0.3.10:8080", "--agent-image", ":8080"],
            ListenArguments.Rewrite(["--leader-elect=true", "--metrics-bind-address", ":8080", "--agent-image", ":8080"], ["--metrics-bind-address"], "127.0.3.10"));
}
