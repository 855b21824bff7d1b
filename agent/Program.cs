using DataCluster.Agent;
using DataCluster.Agent.Configuration;

if (args is ["--help"] or ["-h"])
{
    Console.Out.WriteLine(AgentOptionsReader.HelpTable());
    return 0;
}

if (args.Length > 0)
{
    Console.Error.WriteLine($"datacluster-agent: unexpected argument '{args[0]}'; the agent is configured by environment variables (see --help)");
    return 2;
}

AgentOptions options;
try
{
    options = AgentOptionsReader.Read(Environment.GetEnvironmentVariable);
}
catch (AgentConfigurationException e)
{
    Console.Error.WriteLine($"datacluster-agent: invalid configuration: {e.Message}");
    return 2;
}

return await AgentHost.RunAsync(options).ConfigureAwait(false);
