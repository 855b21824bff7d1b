using DataCluster.Client.Tests.Support;
using DataCluster.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DataCluster.Client.Tests;

/// <summary>Registration with IServiceCollection, options from configuration, and the README's example.</summary>
public sealed class RegistrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Unconfigured_the_client_talks_to_the_agent_in_its_own_pod()
    {
        using var provider = new ServiceCollection().AddDataClusterClient().BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<DataClusterClientOptions>>().Value;

        Assert.Equal(new Uri($"http://localhost:{AgentPorts.Client}"), options.BaseAddress);
        Assert.Same(provider.GetRequiredService<DataClusterClient>(), provider.GetRequiredService<IDataClusterClient>());
    }

    [Fact]
    public async Task Options_are_bound_from_configuration_and_requests_use_the_http_client_factory()
    {
        await using var cluster = await FakeCluster.StartAsync(agents: 1);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataCluster:Client:BaseAddress"] = cluster[0].Address.ToString(),
            ["DataCluster:Client:WriteTimeout"] = "00:00:07",
            ["DataCluster:Client:CommitLevel"] = "All",
            ["DataCluster:Client:ProducerId"] = "app-7",
        }).Build();
        var handlers = 0;
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddDataClusterClient(o => o.PageSize = 50);
        services.AddHttpClient(DataClusterClient.HttpClientName).AddHttpMessageHandler(() => new CountingHandler(() => Interlocked.Increment(ref handlers)));
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<DataClusterClientOptions>>().Value;
        var client = provider.GetRequiredService<IDataClusterClient>();
        var written = await client.WriteAsync("server-1", "DOWN", cancellationToken: Ct);

        Assert.Equal(cluster[0].Address, options.BaseAddress);
        Assert.Equal(TimeSpan.FromSeconds(7), options.WriteTimeout);
        Assert.Equal(50, options.PageSize);
        Assert.Equal(CommitLevel.All, written.CommitLevel);
        var write = Assert.Single(cluster[0].Requests.Writes);
        Assert.Equal("app-7", write.ProducerId);
        Assert.True(handlers > 0, "requests went through the factory's handler pipeline");
    }

    [Fact]
    public void Invalid_options_fail_at_resolution_naming_the_setting_and_the_fix()
    {
        using var provider = new ServiceCollection()
            .AddDataClusterClient(o =>
            {
                o.BaseAddress = new Uri("/relative", UriKind.Relative);
                o.PageSize = 5000;
                o.ProducerId = "has spaces";
            })
            .BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IDataClusterClient>());

        Assert.Contains("DataCluster:Client:BaseAddress must be an absolute http:// or https:// URL", failure.Message, StringComparison.Ordinal);
        Assert.Contains("DataCluster:Client:PageSize must be a whole number from 1 to 1000", failure.Message, StringComparison.Ordinal);
        Assert.Contains("DataCluster:Client:ProducerId must be 1 to 128 printable ASCII characters", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_readme_shows_the_compiled_example_verbatim_and_it_runs()
    {
        var source = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "tests", "Client.Tests", "ReadmeExample.cs"), Ct);
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "client", "README.md"), Ct);
        var begin = source.IndexOf("// readme-begin\n", StringComparison.Ordinal) + "// readme-begin\n".Length;
        var end = source.IndexOf("    // readme-end", StringComparison.Ordinal);
        var example = string.Join('\n', source[begin..end].TrimEnd('\n').Split('\n').Select(line => line.Length >= 4 ? line[4..] : line.TrimStart()));

        Assert.True(readme.Contains(example, StringComparison.Ordinal), $"client/README.md must show the example exactly as tests/Client.Tests/ReadmeExample.cs has it:\n{example}");

        await using var cluster = await FakeCluster.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DataCluster:Client:BaseAddress"] = cluster[1].Address.ToString() }).Build();
        await using var provider = ReadmeExample.Register(new ServiceCollection(), configuration).BuildServiceProvider();
        var last = await ReadmeExample.LastStateAsync(provider.GetRequiredService<IDataClusterClient>(), "server-42", Ct);

        Assert.Equal("UP", last);
        Assert.Equal(["DOWN", "UP"], cluster.Log(cluster.PartitionOf("server-42")).Select(e => System.Text.Encoding.UTF8.GetString(e.Body)));

        // The consumer example hands the same two events out; once the app has moved past both, they are committed.
        var partition = cluster.PartitionOf("server-42");
        var handled = new List<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var consuming = ReadmeExample.ConsumeAsync(provider.GetRequiredService<IDataClusterClient>(), partition, e =>
        {
            lock (handled)
            {
                handled.Add(e.BodyText);
            }

            return Task.CompletedTask;
        }, stop.Token);
        await Wait.UntilAsync(() => cluster.Consumed(partition) == 2, "the example commits both events");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => consuming);
        Assert.Equal(["DOWN", "UP"], handled);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DataCluster.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"no DataCluster.slnx above {AppContext.BaseDirectory}");
    }

    private sealed class CountingHandler(Action counted) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            counted();
            return base.SendAsync(request, cancellationToken);
        }
    }
}
