using DataCluster.LocalCluster.LocalNode;
using Xunit;

namespace DataCluster.LocalCluster.Tests.LocalNode;

public sealed class MountedPathTests
{
    private static readonly MountedPath[] Mounts =
    [
        new("/var/lib/datacluster", "/run/claims/data-x-0"),
        new("/var/run/datacluster/peer-token/", "/run/pods/x-0/volumes/peer-token"),
        new("/var/run/datacluster", "/run/pods/x-0/volumes/run"),
        new("/", "/run/pods/x-0/volumes/root"),
    ];

    [Theory]
    [InlineData("/var/lib/datacluster", "/run/claims/data-x-0")]
    [InlineData("/var/lib/datacluster/segments", "/run/claims/data-x-0/segments")]
    [InlineData("/var/run/datacluster/peer-token/token", "/run/pods/x-0/volumes/peer-token/token")]
    [InlineData("/var/run/datacluster/other", "/run/pods/x-0/volumes/run/other")]
    [InlineData("/var/lib/datacluster-old", "/var/lib/datacluster-old")]
    [InlineData("Information", "Information")]
    [InlineData("/etc/hosts", "/etc/hosts")]
    public void Paths_under_a_mount_move_to_its_host_directory_using_the_longest_mount(string value, string expected) =>
        Assert.Equal(expected, MountedPath.Translate(value, Mounts));
}
