using System.Globalization;
using DataCluster.Contracts;
using Microsoft.Extensions.Options;

namespace DataCluster.Client;

/// <summary>
/// Settings of <see cref="DataClusterClient"/>, bound from the configuration section
/// <see cref="SectionName"/> and then from the delegate given to
/// <see cref="DataClusterServiceCollectionExtensions.AddDataClusterClient(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{DataClusterClientOptions}?)"/>.
/// </summary>
public sealed class DataClusterClientOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string SectionName = "DataCluster:Client";

    /// <summary>The most events the agent returns in one read.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>
    /// The agent the client asks first: for the ring, and for any request whose partition
    /// leader it does not know. The default is the agent in the app's own pod.
    /// </summary>
    public Uri BaseAddress { get; set; } = new(string.Create(CultureInfo.InvariantCulture, $"http://localhost:{AgentPorts.Client}"));

    /// <summary>
    /// Send writes and reads straight to the partition leader's client address (from the ring),
    /// asking agents to answer 421 with the leader rather than forward. Turn off when the members'
    /// pod addresses are not reachable from the app (then <see cref="BaseAddress"/> forwards).
    /// </summary>
    public bool RouteToLeader { get; set; } = true;

    /// <summary>The commit level of writes that name none; null leaves it to the cluster.</summary>
    public CommitLevel? CommitLevel { get; set; }

    /// <summary>
    /// The producer id that makes retried writes idempotent (1 to 128 printable ASCII
    /// characters). Null: a new UUID per client instance. Two live clients must never share one.
    /// </summary>
    public string? ProducerId { get; set; }

    /// <summary>
    /// The most time one write may take, retries included. 30 s: above a partition failover
    /// (lease duration 6 s, a sync, and the agent's own 10 s write timeout for one attempt).
    /// </summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most time one request may take before it is retried. 15 s: above the agent's write
    /// timeout (10 s), so the agent's own answer (a 503 saying why) arrives first.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The most time one page of a read may take, retries included; as <see cref="WriteTimeout"/>, it spans a failover.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Events asked for per read request, 1 to <see cref="MaxPageSize"/>.</summary>
    public int PageSize { get; set; } = MaxPageSize;

    /// <summary>How often a follow read asks for new events once it has read everything committed. 200 ms: two heartbeats of the replication protocol.</summary>
    public TimeSpan FollowPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often the ring (members, their addresses, the partition count) is read again; assignment changes arrive sooner through the watch streams.</summary>
    public TimeSpan RingRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first wait before retrying a failed request or reconnecting a stream; it doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between retries and reconnects (with jitter). 2 s: a member that comes back is noticed within one lease renewal.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A watch stream that carries nothing for this long is taken as dead and reopened. 45 s:
    /// three of the agent's keep-alive comments (every 15 s).
    /// </summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(45);
}

/// <summary>Checks <see cref="DataClusterClientOptions"/> when they are first used; every message says how to fix the value.</summary>
public sealed class DataClusterClientOptionsValidator : IValidateOptions<DataClusterClientOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DataClusterClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var prefix = DataClusterClientOptions.SectionName + ":";
        if (options.BaseAddress is not { IsAbsoluteUri: true } address || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{prefix}BaseAddress must be an absolute http:// or https:// URL of an agent, e.g. http://localhost:{AgentPorts.Client}");
        }

        if (options.ProducerId is { } producer && (producer.Length is < 1 or > 128 || producer.Any(c => c is < '!' or > '~')))
        {
            failures.Add($"{prefix}ProducerId must be 1 to 128 printable ASCII characters without spaces (e.g. a UUID), or unset for a new one per client");
        }

        if (options.CommitLevel is { } level && !Enum.IsDefined(level))
        {
            failures.Add($"{prefix}CommitLevel must be One, Quorum or All, or unset for the cluster's");
        }

        Positive(failures, prefix + "WriteTimeout", options.WriteTimeout);
        Positive(failures, prefix + "AttemptTimeout", options.AttemptTimeout);
        Positive(failures, prefix + "ReadTimeout", options.ReadTimeout);
        Positive(failures, prefix + "FollowPollInterval", options.FollowPollInterval);
        Positive(failures, prefix + "RingRefreshInterval", options.RingRefreshInterval);
        Positive(failures, prefix + "MinRetryDelay", options.MinRetryDelay);
        Positive(failures, prefix + "StreamIdleTimeout", options.StreamIdleTimeout);
        if (options.MaxRetryDelay < options.MinRetryDelay)
        {
            failures.Add($"{prefix}MaxRetryDelay ({options.MaxRetryDelay}) must be at least MinRetryDelay ({options.MinRetryDelay})");
        }

        if (options.PageSize is < 1 or > DataClusterClientOptions.MaxPageSize)
        {
            failures.Add($"{prefix}PageSize must be a whole number from 1 to {DataClusterClientOptions.MaxPageSize} (the agent's most per read)");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan)
        {
            failures.Add($"{name} must be a positive time span such as 00:00:30, not {value}");
        }
    }
}
