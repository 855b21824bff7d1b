using DataCluster.Kube.Config;

namespace DataCluster.Kube.Tests.Config;

/// <summary>Changes KUBECONFIG, which is process-wide: runs alone.</summary>
[CollectionDefinition(nameof(KubeConfigLoadTests), DisableParallelization = true)]
public sealed class EnvironmentCollection;

[Collection(nameof(KubeConfigLoadTests))]
public sealed class KubeConfigLoadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kubeconfig-load-").FullName;
    private readonly string? _saved = Environment.GetEnvironmentVariable(KubeEnvironment.KubeConfig);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(KubeEnvironment.KubeConfig, _saved);
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void KUBECONFIG_names_the_file_and_its_first_existing_entry_wins()
    {
        var path = Path.Combine(_dir, "config");
        File.WriteAllText(path, """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://from-env:6443"}}]
            contexts: [{name: c, context: {cluster: k}}]
            """);
        Environment.SetEnvironmentVariable(KubeEnvironment.KubeConfig, $"{Path.Combine(_dir, "missing")}{Path.PathSeparator}{path}");

        Assert.Equal(new Uri("https://from-env:6443"), KubeConfig.Load().Server);
    }

    [Fact]
    public void KUBECONFIG_naming_no_existing_file_is_an_error_that_quotes_it()
    {
        var value = Path.Combine(_dir, "missing");
        Environment.SetEnvironmentVariable(KubeEnvironment.KubeConfig, value);

        var error = Assert.Throws<KubeConfigException>(KubeConfig.Load);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }
}
