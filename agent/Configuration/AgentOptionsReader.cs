using System.Globalization;
using System.Net;
using DataCluster.Contracts;
using DataCluster.Replication;
using DataCluster.Telemetry;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Configuration;

/// <summary>Raised for invalid configuration; the message is one line naming the variable.</summary>
public sealed class AgentConfigurationException(string message) : Exception(message);

/// <summary>
/// Reads <see cref="AgentOptions"/> from environment variables. Every problem is reported as
/// one line: the variable, what was wrong, the accepted values.
/// </summary>
public static class AgentOptionsReader
{
    public static AgentOptions Read(Func<string, string?> environment)
    {
        var reader = new VariableReader(environment);
        var cluster = reader.Required(AgentEnvironment.ClusterName);
        if (!IsDns1035Label(cluster))
        {
            throw reader.Invalid(AgentEnvironment.ClusterName, cluster);
        }

        var pod = reader.Required(AgentEnvironment.PodName);
        var ordinal = ObjectNames.OrdinalOf(cluster, pod);
        if (ordinal < 0)
        {
            throw new AgentConfigurationException(
                $"{AgentEnvironment.PodName}: '{pod}' is not a member of cluster '{cluster}'; accepted: {cluster}-<ordinal>, as the StatefulSet names its pods");
        }

        var leaseSeconds = reader.Int(AgentEnvironment.LeaseDurationSeconds, Limits.LeaseDurationSeconds.Min, Limits.LeaseDurationSeconds.Max);
        var renewSeconds = reader.Int(AgentEnvironment.RenewIntervalSeconds, Limits.RenewIntervalSeconds.Min, Limits.RenewIntervalSeconds.Max);
        if (renewSeconds >= leaseSeconds)
        {
            throw new AgentConfigurationException(
                $"{AgentEnvironment.RenewIntervalSeconds}: {renewSeconds} is not less than {AgentEnvironment.LeaseDurationSeconds} ({leaseSeconds}); accepted: a renew interval shorter than the lease duration, e.g. a third of it");
        }

        var factor = reader.Int(AgentEnvironment.ReplicationFactor, Limits.ReplicationFactor.Min, Limits.ReplicationFactor.Max);
        var otherZone = reader.Int(AgentEnvironment.OtherZoneReplicas, 0, factor - 1);
        var otherRegion = reader.Int(AgentEnvironment.OtherRegionReplicas, 0, factor - 1 - otherZone);
        var clientPort = reader.Int(AgentEnvironment.ClientPort, Limits.Port.Min, Limits.Port.Max);
        var peerPort = reader.Int(AgentEnvironment.PeerPort, Limits.Port.Min, Limits.Port.Max);
        if (clientPort == peerPort)
        {
            throw new AgentConfigurationException(
                $"{AgentEnvironment.PeerPort}: {peerPort} is the same as {AgentEnvironment.ClientPort}; accepted: two different ports");
        }

        return new AgentOptions
        {
            ClusterName = cluster,
            PodName = pod,
            Ordinal = ordinal,
            Namespace = reader.Required(AgentEnvironment.PodNamespace),
            PodIp = reader.Address(AgentEnvironment.PodIp),
            NodeName = reader.Optional(AgentEnvironment.NodeName),
            BindAddress = reader.Address(AgentEnvironment.BindAddress),
            ClientPort = clientPort,
            PeerPort = peerPort,
            DataDirectory = reader.Optional(AgentEnvironment.DataDirectory),
            PeerTokenFile = reader.Optional(AgentEnvironment.PeerTokenFile),
            LeaseDuration = TimeSpan.FromSeconds(leaseSeconds),
            RenewInterval = TimeSpan.FromSeconds(renewSeconds),
            Partitions = reader.Int(AgentEnvironment.Partitions, Limits.Partitions.Min, Limits.Partitions.Max),
            ReplicationFactor = factor,
            CommitLevel = reader.Enum<CommitLevel>(AgentEnvironment.CommitLevel),
            OtherZoneReplicas = otherZone,
            OtherRegionReplicas = otherRegion,
            Substitutes = reader.OneOf(AgentEnvironment.Substitutes, "true", "false") == "true",
            AppDeliveryUrl = reader.HttpUrl(AgentEnvironment.AppDeliveryUrl),
            LogLevel = reader.Enum<LogLevel>(AgentEnvironment.LogLevel, except: LogLevel.None),
            JsonLogs = reader.OneOf(AgentEnvironment.LogFormat, LogFormats.Json, LogFormats.Text) == LogFormats.Json,
            OtlpEndpoint = reader.HttpUrl(AgentEnvironment.OtlpEndpoint),
            MaxEventBytes = reader.Int(AgentEnvironment.MaxEventBytes, Limits.MaxEventBytes.Min, Limits.MaxEventBytes.Max),
            FsyncPolicy = reader.OneOf(AgentEnvironment.Fsync, "always", "interval", "never") switch
            {
                "interval" => Storage.FsyncPolicy.Interval,
                "never" => Storage.FsyncPolicy.Never,
                _ => Storage.FsyncPolicy.Always,
            },
            FsyncInterval = TimeSpan.FromMilliseconds(reader.Int(AgentEnvironment.FsyncIntervalMs, Limits.FsyncIntervalMs.Min, Limits.FsyncIntervalMs.Max)),
            WriteTimeout = TimeSpan.FromMilliseconds(reader.Int(AgentEnvironment.WriteTimeoutMs, Limits.WriteTimeoutMs.Min, Limits.WriteTimeoutMs.Max)),
            RetentionBytes = reader.Long(AgentEnvironment.RetentionBytes, Limits.RetentionBytes.Min, Limits.RetentionBytes.Max) is > 0 and var bytes ? bytes : null,
            ShutdownGrace = TimeSpan.FromSeconds(reader.Int(AgentEnvironment.ShutdownGraceSeconds, Limits.ShutdownGraceSeconds.Min, Limits.ShutdownGraceSeconds.Max)),
            RetentionAge = reader.Int(AgentEnvironment.RetentionHours, Limits.RetentionHours.Min, Limits.RetentionHours.Max) is > 0 and var hours ? TimeSpan.FromHours(hours) : null,
        };
    }

    /// <summary>The variable table printed by --help (and checked against the README).</summary>
    public static string HelpTable()
    {
        var rows = AgentEnvironment.All.Select(v => (v.Name, Default: v.Required ? "(required)" : v.Default == "" ? "(empty)" : v.Default!, v.Accepted, v.Description)).ToList();
        var nameWidth = rows.Max(r => r.Name.Length);
        var defaultWidth = rows.Max(r => r.Default.Length);
        var lines = new List<string>
        {
            "datacluster-agent: the DataCluster member agent. Configured by environment variables:",
            "",
            $"  {"VARIABLE".PadRight(nameWidth)}  {"DEFAULT".PadRight(defaultWidth)}  DESCRIPTION (ACCEPTED VALUES)",
        };
        lines.AddRange(rows.Select(r => $"  {r.Name.PadRight(nameWidth)}  {r.Default.PadRight(defaultWidth)}  {r.Description} ({r.Accepted})"));
        lines.Add("");
        lines.Add("Kubernetes access: in-cluster service account, or KUBECONFIG when set.");
        lines.Add("Exit codes: 0 stopped cleanly, 1 failed at run time, 2 invalid configuration.");
        return string.Join('\n', lines);
    }

    /// <summary>The same table in Markdown, as the README shows it.</summary>
    public static string MarkdownTable()
    {
        var lines = new List<string>
        {
            "| variable | default | accepted values | description |",
            "|---|---|---|---|",
        };
        lines.AddRange(AgentEnvironment.All.Select(v =>
            $"| `{v.Name}` | {(v.Required ? "required" : v.Default == "" ? "empty" : $"`{v.Default}`")} | {v.Accepted} | {v.Description} |"));
        return string.Join('\n', lines);
    }

    private static bool IsDns1035Label(string value) =>
        value.Length is > 0 and <= 63
        && char.IsAsciiLetterLower(value[0])
        && char.IsAsciiLetterOrDigit(value[^1])
        && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private sealed class VariableReader(Func<string, string?> environment)
    {
        public string Required(string name)
        {
            var value = environment(name);
            if (string.IsNullOrWhiteSpace(value))
            {
                var spec = Spec(name);
                throw new AgentConfigurationException($"{name}: required but not set; accepted: {spec.Accepted}");
            }

            return value.Trim();
        }

        public string Optional(string name)
        {
            var value = environment(name);
            return string.IsNullOrWhiteSpace(value) ? Spec(name).Default ?? "" : value.Trim();
        }

        public int Int(string name, int min, int max)
        {
            var text = Optional(name);
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                throw new AgentConfigurationException($"{name}: '{text}' is not valid; accepted: an integer from {min} to {max}");
            }

            return value;
        }

        public long Long(string name, long min, long max)
        {
            var text = Optional(name);
            if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                throw new AgentConfigurationException($"{name}: '{text}' is not valid; accepted: an integer from {min} to {max}");
            }

            return value;
        }

        public T Enum<T>(string name, T? except = null) where T : struct, System.Enum
        {
            var text = Optional(name);
            var names = System.Enum.GetNames<T>().Where(n => except is null || n != except.Value.ToString()).ToArray();
            var match = names.FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                throw new AgentConfigurationException($"{name}: '{text}' is not valid; accepted: {string.Join(", ", names)}");
            }

            return System.Enum.Parse<T>(match);
        }

        public string OneOf(string name, params string[] accepted)
        {
            var text = Optional(name).ToLowerInvariant();
            if (!accepted.Contains(text))
            {
                throw new AgentConfigurationException($"{name}: '{text}' is not valid; accepted: {string.Join(", ", accepted)}");
            }

            return text;
        }

        public IPAddress Address(string name)
        {
            var text = Spec(name).Required ? Required(name) : Optional(name);
            if (!IPAddress.TryParse(text, out var address))
            {
                throw Invalid(name, text);
            }

            return address;
        }

        public Uri? HttpUrl(string name)
        {
            var text = Optional(name);
            if (text.Length == 0)
            {
                return null;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw Invalid(name, text);
            }

            return uri;
        }

        public AgentConfigurationException Invalid(string name, string value) =>
            new($"{name}: '{value}' is not valid; accepted: {Spec(name).Accepted}");

        private static AgentVariable Spec(string name) =>
            AgentEnvironment.All.First(v => v.Name == name);
    }
}
