using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Operator.Crd;
using DataCluster.Operator.Hosting;
using DataCluster.Operator.Rbac;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DataCluster.Operator;

/// <summary>
/// <c>datacluster-operator [run] [FLAGS]</c> runs the operator; <c>generate-crd</c> and
/// <c>generate-rbac</c> write manifests. Exit codes: 0 after a normal stop, 1 after losing
/// leadership (so the pod restarts clean), 2 for invalid flags or configuration, credentials included.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        switch (args)
        {
            case [CrdCommand.Name, ..]:
                return CrdCommand.Run(args[1..], Console.Out, Console.Error);
            case [RbacCommand.Name, ..]:
                return RbacCommand.Run(args[1..], Console.Out, Console.Error);
        }

        var parsed = OperatorCommandLine.Parse(args, Environment.GetEnvironmentVariable);
        if (parsed.Help)
        {
            Console.Out.Write(OperatorCommandLine.Help());
            return 0;
        }

        if (parsed.Options is not { } options)
        {
            Console.Error.WriteLine(parsed.Error);
            return 2;
        }

        WebApplication app;
        try
        {
            app = OperatorHost.Build(options);
        }
        catch (KubeConfigException e)
        {
            Console.Error.WriteLine($"datacluster-operator: cannot reach Kubernetes: {e.Message}");
            return 2;
        }

        // Taken before running: RunAsync disposes the host, and its services with it.
        var state = app.Services.GetRequiredService<OperatorState>();
        await using (app.ConfigureAwait(false))
        {
            try
            {
                // A broken exec credential plugin (or login) stops the start here, on one line,
                // rather than as retried request failures in the log.
                await app.Services.GetRequiredService<KubeClient>().EnsureCredentialsAsync().ConfigureAwait(false);
            }
            catch (KubeConfigException e)
            {
                Console.Error.WriteLine($"datacluster-operator: cannot get Kubernetes credentials: {e.Message}");
                return 2;
            }

            await app.RunAsync().ConfigureAwait(false);
        }

        return state.LostLeadership ? 1 : 0;
    }
}
