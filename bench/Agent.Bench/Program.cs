using DataCluster.Agent.Bench;

// make bench-agent: `report` with the published agent of make publish-agent and the hello-world
// published beside it. Options: --agent PATH, --hello PATH (none to skip), --partitions N,
// --members N, --large N (0 to skip), --sample-seconds N, --env NAME=VALUE (repeatable; set for
// every agent), --trial "NAME=VALUE ..." (repeatable; another small cluster with these variables
// too, e.g. "DOTNET_GCgen0size=0x200000" to try a runtime setting without publishing again).
if (args is not ["report", ..])
{
    Console.Error.WriteLine("usage: report [--agent PATH] [--hello PATH|none] [--partitions N] [--members N] [--large N] [--sample-seconds N] [--env NAME=VALUE]... [--trial \"NAME=VALUE ...\"]...");
    return 2;
}

var settings = ReportSettings.Parse(args[1..]);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
return await Report.RunAsync(settings, Console.Out, stop.Token).ConfigureAwait(false);
