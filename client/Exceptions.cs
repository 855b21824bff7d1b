namespace DataCluster.Client;

/// <summary>
/// A request the cluster did not carry out. The subclasses say whether retrying can help;
/// <see cref="Error"/> and <see cref="ServerMessage"/> carry the agent's JSON reason.
/// </summary>
public class DataClusterException : Exception
{
    /// <summary>An exception without a message.</summary>
    public DataClusterException()
    {
    }

    /// <summary>An exception with a message.</summary>
    public DataClusterException(string message)
        : base(message)
    {
    }

    /// <summary>An exception with a message and its cause.</summary>
    public DataClusterException(string message, Exception? inner)
        : base(message, inner)
    {
    }

    /// <summary>An exception carrying the agent's answer.</summary>
    public DataClusterException(string message, int? statusCode, string? error, string? serverMessage, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        Error = error;
        ServerMessage = serverMessage;
    }

    /// <summary>The HTTP status of the agent's last answer, or null when none came.</summary>
    public int? StatusCode { get; }

    /// <summary>The agent's error code (<c>invalid_key</c>, <c>no_leader</c>, <c>timed_out</c>, ...), or null.</summary>
    public string? Error { get; }

    /// <summary>The agent's explanation, or null.</summary>
    public string? ServerMessage { get; }
}

/// <summary>
/// The agent refused the request itself (a 4xx: bad input, a body over the cluster's limit, a
/// commit level weaker than the cluster's, a producer sequence out of the leader's window).
/// Sending it again unchanged gets the same answer.
/// </summary>
public sealed class DataClusterRejectedException(string message, int statusCode, string? error, string? serverMessage)
    : DataClusterException(message, statusCode, error, serverMessage);

/// <summary>
/// The cluster could not carry the request out within the time allowed: the last answer was a
/// 503 (no leader, syncing, commit level unavailable, timed out), a server error, a timeout or
/// no connection. A write may still have been stored: reading its key back shows whether it was.
/// </summary>
public sealed class DataClusterUnavailableException(string message, int? statusCode, string? error, string? serverMessage, TimeSpan? retryAfter, Exception? inner)
    : DataClusterException(message, statusCode, error, serverMessage, inner)
{
    /// <summary>The agent's last Retry-After, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
