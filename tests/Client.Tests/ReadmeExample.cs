using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DataCluster.Client.Tests;

/// <summary>The example of client/README.md; <see cref="RegistrationTests"/> checks the README shows it verbatim and runs it.</summary>
public static class ReadmeExample
{
    // readme-begin
    // Registration, e.g. in Program.cs. Options come from the section "DataCluster:Client";
    // BaseAddress defaults to the agent in the same pod, http://localhost:8080.
    public static IServiceCollection Register(IServiceCollection services, IConfiguration configuration) =>
        services
            .AddSingleton(configuration)
            .AddLogging()
            .AddDataClusterClient(options => options.CommitLevel = CommitLevel.Quorum);

    // Use: events of one key are written in order and read back in that order.
    public static async Task<string> LastStateAsync(IDataClusterClient client, string server, CancellationToken cancellationToken)
    {
        var down = await client.WriteAsync(server, "DOWN", cancellationToken: cancellationToken);
        var up = await client.WriteAsync(server, "UP", new WriteOptions { CommitLevel = CommitLevel.All }, cancellationToken);
        Console.WriteLine($"{server}: partition {up.Partition}, DOWN at offset {down.Offset}, UP at {up.Offset}");

        var last = "";
        await foreach (var e in client.ReadKeyAsync(server, cancellationToken: cancellationToken))
        {
            last = e.BodyText;
        }

        return last;
    }

    // Pull delivery (an app without a delivery URL): one partition's events from the offset the
    // last consumer committed, in order, across leader changes, until cancelled. OnNextMove counts
    // an event consumed once the loop asks for the next one and commits page by page; what was not
    // committed is handed out again to the next consumer (at least once).
    public static async Task ConsumeAsync(IDataClusterClient client, int partition, Func<Event, Task> handle, CancellationToken cancellationToken)
    {
        var consumer = client.Consume(partition, ConsumerCommit.OnNextMove);
        await foreach (var e in consumer.ReadAsync(cancellationToken))
        {
            await handle(e);
        }
    }
    // readme-end
}
