using DataCluster.Client;
using DataCluster.Samples.EntityAffinity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Usage: dotnet DataCluster.Samples.EntityAffinity.dll [--Servers=10] [--DataCluster:Client:BaseAddress=http://localhost:8080]
// (or the environment variables Servers and DataCluster__Client__BaseAddress). Exit code 0 when
// every server ends UP with its events in the order they were acknowledged, 1 otherwise.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddDataClusterClient();
var servers = builder.Configuration.GetValue("Servers", 10);
if (servers is < 1 or > 100_000)
{
    await Console.Error.WriteLineAsync($"Servers must be a whole number from 1 to 100000, not {servers}.");
    return 2;
}

using var host = builder.Build();
var client = host.Services.GetRequiredService<IDataClusterClient>();
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    var report = await ServerStates.RunAsync(client, servers, Console.Out, stop.Token);
    return report.AllUpInOrder ? 0 : 1;
}
catch (DataClusterException e)
{
    await Console.Error.WriteLineAsync($"The cluster did not carry out a request: {e.Message}");
    return 1;
}
