using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DataCluster.Kube.Config;
using Microsoft.Extensions.Time.Testing;

namespace DataCluster.Kube.Tests.Config;

public sealed class InClusterConfigTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("serviceaccount-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void WriteServiceAccount(string token = "token-1")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = new CertificateRequest("CN=cluster-ca", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(_root, "ca.crt"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_root, "token"), token);
        File.WriteAllText(Path.Combine(_root, "namespace"), "team-a\n");
    }

    [Fact]
    public void The_service_account_files_and_service_address_make_the_configuration()
    {
        WriteServiceAccount();
        var config = InClusterConfig.Load(_root, "10.96.0.1", "443");

        Assert.Equal(new Uri("https://10.96.0.1:443"), config.Server);
        Assert.Equal(Path.Combine(_root, "token"), config.TokenFile);
        Assert.Equal("team-a", config.Namespace);
        Assert.Equal("CN=cluster-ca", Assert.Single(config.CertificateAuthorities!).Subject);
    }

    [Fact]
    public void An_IPv6_service_address_is_bracketed()
    {
        WriteServiceAccount();
        Assert.Equal(new Uri("https://[fd00::1]:443"), InClusterConfig.Load(_root, "fd00::1", "443").Server);
    }

    [Fact]
    public void A_missing_token_names_the_file()
    {
        var error = Assert.Throws<KubeConfigException>(() => InClusterConfig.Load(_root, "10.96.0.1", "443"));
        Assert.Contains(Path.Combine(_root, "token"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rotated_token_is_read_again()
    {
        WriteServiceAccount("token-1");
        var path = Path.Combine(_root, "token");
        var time = new FakeTimeProvider();
        var source = new FileTokenSource(path, time);
        Assert.Equal("token-1", source.GetToken());

        // The kubelet swaps the file; a new modification time is noticed at once.
        File.WriteAllText(path, "token-2\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));
        Assert.Equal("token-2", source.GetToken());

        // Same modification time (a swap that kept it): noticed within a minute.
        var kept = File.GetLastWriteTimeUtc(path);
        File.WriteAllText(path, "token-3");
        File.SetLastWriteTimeUtc(path, kept);
        Assert.Equal("token-2", source.GetToken());
        time.Advance(FileTokenSource.MaxAge);
        Assert.Equal("token-3", source.GetToken());
    }

    [Fact]
    public void A_rejected_token_is_read_again_on_the_next_request()
    {
        WriteServiceAccount("old");
        var path = Path.Combine(_root, "token");
        var source = new FileTokenSource(path, new FakeTimeProvider());
        Assert.Equal("old", source.GetToken());

        var kept = File.GetLastWriteTimeUtc(path);
        File.WriteAllText(path, "new");
        File.SetLastWriteTimeUtc(path, kept);
        source.Invalidate(new Credential("old"));
        Assert.Equal("new", source.GetToken());
    }
}
