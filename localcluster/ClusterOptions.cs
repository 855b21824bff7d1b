using System.Net;
using DataCluster.Kube.Client;
using DataCluster.LocalCluster.LocalNode;
using Microsoft.Extensions.Logging;

namespace DataCluster.LocalCluster;

/// <summary>What a <see cref="Cluster"/> runs.</summary>
public sealed record ClusterOptions
{
    /// <summary>The CRD manifest to install (crds/datacluster.dev_dataclusters.yaml).</summary>
    public required string CrdManifest { get; init; }

    /// <summary>How to start the operator, e.g. <c>dotnet</c> with the operator's dll.</summary>
    public required LocalExecutable Operator { get; init; }

    /// <summary>Arguments after <see cref="LocalExecutable.Arguments"/>.</summary>
    public IReadOnlyList<string> OperatorArguments { get; init; } = [];

    /// <summary>Extra environment of the operator (its settings); KUBECONFIG is set by the cluster.</summary>
    public IReadOnlyDictionary<string, string> OperatorEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Grants the operator's token user (<see cref="OperatorUser"/>) its rights, using the admin
    /// client. Null runs the operator as admin.
    /// </summary>
    public Func<IKubeClient, CancellationToken, Task>? GrantOperatorRights { get; init; }

    /// <summary>The token user the operator runs as when <see cref="GrantOperatorRights"/> is set.</summary>
    public string OperatorUser { get; init; } = "operator";

    /// <summary>The image the operator puts into member pods (its agent-image setting), which the local node runs as <see cref="AgentExecutable"/>.</summary>
    public required string AgentImage { get; init; }

    /// <summary>The published agent (artifacts/agent/datacluster-agent).</summary>
    public required string AgentExecutable { get; init; }

    /// <summary>The Nodes of the local node; null keeps its default (local-a in zone-a, local-b in zone-b).</summary>
    public IReadOnlyList<LocalNodeDefinition>? Nodes { get; init; }

    /// <summary>The first pod address; null keeps the local node's default (127.0.0.10).</summary>
    public IPAddress? FirstPodAddress { get; init; }

    /// <summary>Logs of the local node (the processes log to files in the run directory).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
