using Microsoft.Extensions.Logging;

namespace DataCluster.Telemetry;

/// <summary>Log line formats the operator and the agent offer (<c>--log-format</c>, <c>DATACLUSTER_LOG_FORMAT</c>).</summary>
public static class LogFormats
{
    /// <summary>One JSON object per line, for log collectors. The default.</summary>
    public const string Json = "json";

    /// <summary>One human-readable line per message.</summary>
    public const string Text = "text";

    /// <summary>Both formats, as accepted values in help texts and messages.</summary>
    public const string Accepted = "json or text";
}

/// <summary>
/// The console logging of the operator and the agent, one set-up for both: UTC timestamps in
/// ISO 8601 with milliseconds, scopes included (the reconciled object, the partition), and the
/// framework's own start-up and per-request lines kept to warnings.
/// </summary>
public static class ConsoleLogging
{
    /// <summary>The timestamp format of every log line.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>Replaces the providers of <paramref name="logging"/> with console output in <paramref name="format"/> at <paramref name="minimum"/> and above.</summary>
    /// <param name="logging">The host's logging builder.</param>
    /// <param name="format"><see cref="LogFormats.Json"/> or <see cref="LogFormats.Text"/>.</param>
    /// <param name="minimum">The lowest level written.</param>
    public static ILoggingBuilder AddDataClusterConsole(this ILoggingBuilder logging, string format, LogLevel minimum)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders();
        if (format == LogFormats.Text)
        {
            logging.AddSimpleConsole(text =>
            {
                text.SingleLine = true;
                text.IncludeScopes = true;
                text.UseUtcTimestamp = true;
                text.TimestampFormat = TimestampFormat + " ";
            });
        }
        else
        {
            logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = TimestampFormat;
            });
        }

        logging.SetMinimumLevel(minimum);
        return logging.WithQuietFramework();
    }

    /// <summary>
    /// Keeps ASP.NET Core's and the host's own lines to warnings: they log every request and
    /// start-up step at Information, and the processes' own lines say what matters.
    /// </summary>
    public static ILoggingBuilder WithQuietFramework(this ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        return logging;
    }
}
