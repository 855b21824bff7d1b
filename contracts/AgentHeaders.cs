namespace DataCluster.Contracts;

/// <summary>HTTP headers of the agent's write and read API, shared with clients.</summary>
public static class AgentHeaders
{
    /// <summary>On a write: the producer's id (1-128 printable ASCII characters). With <see cref="Sequence"/> it makes a retried write idempotent.</summary>
    public const string ProducerId = "DataCluster-Producer-Id";

    /// <summary>On a write: the producer's sequence number for this write, an integer from 0.</summary>
    public const string Sequence = "DataCluster-Sequence";

    /// <summary>
    /// Set by an agent that forwards a request to the partition leader, naming itself. An agent
    /// that receives a forwarded request it cannot serve answers 421 instead of forwarding again,
    /// so a request makes at most one hop.
    /// </summary>
    public const string ForwardedBy = "DataCluster-Forwarded-By";

    /// <summary>On a request: "true" asks for a 421 naming the leader instead of a forwarded answer (for clients that route themselves).</summary>
    public const string Redirect = "DataCluster-Redirect";

    /// <summary>On a 421 answer: the partition leader as <c>ID HOST:PORT</c> (the address is absent when unknown).</summary>
    public const string Leader = "DataCluster-Leader";
}
