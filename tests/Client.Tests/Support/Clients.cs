using Microsoft.Extensions.DependencyInjection;

namespace DataCluster.Client.Tests.Support;

/// <summary>A client registered as an app would register it, pointed at a scripted cluster.</summary>
internal sealed class TestClient : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private TestClient(ServiceProvider services)
    {
        _services = services;
        Client = services.GetRequiredService<DataClusterClient>();
    }

    public DataClusterClient Client { get; }

    /// <summary>Retries fast so tests stay short; every other option is the default unless changed.</summary>
    public static TestClient For(FakeCluster cluster, Action<DataClusterClientOptions>? configure = null, int agent = 0)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDataClusterClient(o =>
        {
            o.BaseAddress = cluster[agent].Address;
            o.MinRetryDelay = TimeSpan.FromMilliseconds(20);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(200);
            configure?.Invoke(o);
        });
        return new TestClient(services.BuildServiceProvider());
    }

    /// <summary>Waits until the client routes <paramref name="partition"/> to <paramref name="leader"/> (it learns leaders from the assignment streams).</summary>
    public async Task KnowsLeaderAsync(int partition, FakeAgent leader)
    {
        await Client.PartitionOfAsync("any", TestContext.Current.CancellationToken);
        await Wait.UntilAsync(() => Client.LeaderOf(partition) == leader.Address, $"the client routes partition {partition} to {leader.Id}");
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}

internal static class Wait
{
    /// <summary>Generous: only catches a hang; these waits end in milliseconds.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not within {Patience.TotalSeconds} s: {what}");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
