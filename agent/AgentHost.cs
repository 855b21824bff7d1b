using DataCluster.Agent.Configuration;

namespace DataCluster.Agent;

/// <summary>Builds and runs the agent's web host and background services.</summary>
public static class AgentHost
{
    public static Task<int> RunAsync(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Console.Error.WriteLine("datacluster-agent: configuration is valid; the runtime is not built yet");
        return Task.FromResult(1);
    }
}
