namespace DataCluster.Operator.Builders;

/// <summary>Operator-wide settings the builders need besides the DataCluster itself.</summary>
public sealed class BuilderOptions
{
    /// <summary>
    /// The agent image for clusters whose spec.agent.image is empty (the operator's --agent-image).
    /// Validation reports a cluster that has neither, so builders may assume one of them is set.
    /// </summary>
    public string? DefaultAgentImage { get; init; }
}
