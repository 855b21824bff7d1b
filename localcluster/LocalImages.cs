using DataCluster.LocalCluster.LocalNode;

namespace DataCluster.LocalCluster;

/// <summary>
/// DataCluster's images and the programs of this checkout that stand in for them on a local
/// node: the one place that says which image runs as what.
/// </summary>
public static class LocalImages
{
    /// <summary>
    /// The operator's listen flags (<c>--metrics-bind-address=:8080</c> in the chart): each pod's
    /// operator listens on the pod's own address, so two replicas and the agents share the ports.
    /// </summary>
    private static readonly string[] OperatorListenFlags = ["--metrics-bind-address", "--health-probe-bind-address"];

    /// <summary>The published agent (<see cref="RepositoryLayout.AgentBinary"/>) for the agent image, as it is: its image runs it with the container's environment and no arguments.</summary>
    public static LocalExecutable Agent(string binary) => new(binary);

    /// <summary>The published operator (<see cref="RepositoryLayout.OperatorBinary"/>), with the container's args, listening on the pod's address.</summary>
    public static LocalExecutable Operator(string binary) => new(binary) { ListenFlags = OperatorListenFlags };

    /// <summary>
    /// The images a local node runs: <paramref name="agentImage"/> as the agent and, when given,
    /// <paramref name="operatorImage"/> as the operator. An image without a tag stands for every
    /// tag of its repository (<see cref="LocalNodeOptions.Images"/>); every tag of the agent's
    /// repository runs the agent.
    /// </summary>
    public static IReadOnlyDictionary<string, LocalExecutable> Map(
        string agentImage, string agentBinary, string? operatorImage = null, string? operatorBinary = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(agentImage);
        ArgumentException.ThrowIfNullOrEmpty(agentBinary);
        // The agent's repository as well, so a DataCluster whose spec names another tag (a rolling
        // update) runs the same published agent.
        var images = new Dictionary<string, LocalExecutable>(StringComparer.Ordinal)
        {
            [agentImage] = Agent(agentBinary),
            [LocalNode.ImageReference.Repository(agentImage)] = Agent(agentBinary),
        };
        if (operatorImage is not null)
        {
            ArgumentException.ThrowIfNullOrEmpty(operatorBinary);
            images[operatorImage] = Operator(operatorBinary);
        }

        return images;
    }
}
