namespace DataCluster.Client.Http;

/// <summary>
/// One request's outcome: the agent's answer (status, its JSON reason, Retry-After, the leader a
/// 421 names), or the failure that kept an answer from coming (connection, timeout, garbled body).
/// </summary>
internal sealed record AgentAnswer<T>(int Status, T? Value, string? Error, string? Message, TimeSpan? RetryAfter, string? LeaderId, string? LeaderAddress, Exception? Failure)
    where T : class
{
    public bool Ok => Status == 200 && Value is not null;

    /// <summary>True when no answer came: the request may or may not have reached the agent.</summary>
    public bool Unanswered => Failure is not null;

    /// <summary>A 4xx other than 421 and 429: the same request gets the same answer.</summary>
    public bool Rejected => Status is >= 400 and < 500 and not 421 and not 429 and not 408;

    /// <summary>For logs and exception messages.</summary>
    public string Describe() => Failure is not null
        ? $"no answer ({Failure.GetType().Name}: {Failure.Message})"
        : $"{Status} {Error}: {Message}";
}
