using DataCluster.Kube.Config;
using DataCluster.Kube.Tests.Support;

namespace DataCluster.Kube.Tests.Config;

/// <summary>Reading a kubeconfig user's exec entry.</summary>
public sealed class ExecConfigTests : IDisposable
{
    private static readonly Uri Server = new("https://k.example:6443");

    private readonly ExecPlugins _plugins = new();

    public void Dispose() => _plugins.Dispose();

    [Fact]
    public void An_exec_entry_is_read_with_its_args_env_mode_and_a_command_relative_to_the_kubeconfig()
    {
        var path = _plugins.WriteKubeconfig("config", Server, """
            apiVersion: client.authentication.k8s.io/v1
            command: ./bin/get-token
            args: [--cluster, prod]
            env:
            - name: AWS_PROFILE
              value: ops
            - name: EMPTY
            interactiveMode: IfAvailable
            provideClusterInfo: true
            installHint: brew install get-token
            """, "proxy-url: http://proxy.example:3128");

        var config = KubeConfig.FromFile(path);

        var exec = config.Exec!;
        Assert.Equal("u", exec.User);
        Assert.Equal(Path.Combine(_plugins.Directory, "bin", "get-token"), exec.Command);
        Assert.Equal(["--cluster", "prod"], exec.Args);
        Assert.Equal([new("AWS_PROFILE", "ops"), new("EMPTY", "")], exec.Env);
        Assert.Equal(ExecInteractiveMode.IfAvailable, exec.InteractiveMode);
        Assert.True(exec.ProvideClusterInfo);
        Assert.Equal("brew install get-token", exec.InstallHint);
        Assert.Equal(ExecCredentialPlugin.DefaultTimeout, exec.Timeout);
        Assert.Equal(new Uri("http://proxy.example:3128"), config.ProxyUrl);
        Assert.Null(config.Token);
    }

    [Fact]
    public void A_bare_command_stays_a_name_for_PATH_and_v1beta1_defaults_to_IfAvailable()
    {
        var path = _plugins.WriteKubeconfig("config", Server, """
            apiVersion: client.authentication.k8s.io/v1beta1
            command: aws
            """);

        var exec = KubeConfig.FromFile(path).Exec!;

        Assert.Equal("aws", exec.Command);
        Assert.Empty(exec.Args);
        Assert.Empty(exec.Env);
        Assert.Equal(ExecInteractiveMode.IfAvailable, exec.InteractiveMode);
        Assert.False(exec.ProvideClusterInfo);
    }

    [Theory]
    [InlineData("apiVersion: client.authentication.k8s.io/v1\ncommand: x", "lacks users[u].user.exec.interactiveMode, which client.authentication.k8s.io/v1 requires; set it to Never")]
    [InlineData("apiVersion: client.authentication.k8s.io/v1\ncommand: x\ninteractiveMode: Always", "has users[u].user.exec.interactiveMode Always, but this program never has a terminal")]
    [InlineData("apiVersion: client.authentication.k8s.io/v1\ncommand: x\ninteractiveMode: Sometimes", "has users[u].user.exec.interactiveMode 'Sometimes'; use Never, IfAvailable or Always")]
    [InlineData("apiVersion: client.authentication.k8s.io/v1alpha1\ncommand: x", "has users[u].user.exec.apiVersion 'client.authentication.k8s.io/v1alpha1'; use client.authentication.k8s.io/v1 or")]
    [InlineData("apiVersion: client.authentication.k8s.io/v1\ninteractiveMode: Never", "lacks users[u].user.exec.command")]
    [InlineData("apiVersion: client.authentication.k8s.io/v1\ncommand: x\ninteractiveMode: Never\nenv: {A: b}", "has users[u].user.exec.env that is not a list of name/value pairs")]
    public void Exec_entries_that_cannot_work_here_are_refused_saying_what_to_change(string execYaml, string expected)
    {
        var path = _plugins.WriteKubeconfig("config", Server, execYaml);

        var error = Assert.Throws<KubeConfigException>(() => KubeConfig.FromFile(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
