using System.Reflection;

namespace DataCluster.Kube.Client;

/// <summary>Transport settings of <see cref="KubeClient"/>. The defaults suit an in-cluster controller.</summary>
public sealed record KubeClientOptions
{
    /// <summary>Sent as User-Agent so the server's audit log and metrics name us.</summary>
    public string UserAgent { get; init; } = DefaultUserAgent();

    /// <summary>
    /// Limit for one non-watch request, headers and body. 30 s: the API server itself gives up on
    /// a request after 60 s, and a healthy server answers a page of 500 objects in well under a
    /// second, so a request still open after 30 s is almost always a dead connection that we
    /// would rather fail and retry.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Limit for opening a TCP+TLS connection. 10 s: a reachable server on a cluster network
    /// connects in milliseconds; waiting longer only delays the retry.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Grace beyond a watch's TimeoutSeconds before a silent stream is treated as dead. 30 s
    /// covers a slow server closing late; anything longer means a half-open connection.
    /// </summary>
    public TimeSpan WatchIdleGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Use HTTP/2 (one multiplexed connection) instead of HTTP/1.1 (a connection per concurrent
    /// request). Off by default: with HTTP/1.1 each watch has its own connection, so one stalled
    /// stream cannot hold up the others, and our process runs only a handful of watches.
    /// </summary>
    public bool UseHttp2 { get; init; }

    /// <summary>The clock for timeouts and token-file freshness.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    private static string DefaultUserAgent()
    {
        var version = typeof(KubeClientOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return $"datacluster/{(plus >= 0 ? version[..plus] : version)} (dotnet)";
    }
}
