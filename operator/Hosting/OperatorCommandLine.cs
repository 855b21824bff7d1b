using System.Globalization;
using System.Text;
using DataCluster.Contracts;
using DataCluster.Telemetry;
using Microsoft.Extensions.Logging;

namespace DataCluster.Operator.Hosting;

/// <summary>The result of parsing the command line: options, a help request, or an error line.</summary>
public sealed record OperatorCommandLineResult(OperatorOptions? Options, bool Help, string? Error);

/// <summary>
/// <c>datacluster-operator [run] [FLAGS]</c>: each flag (<c>--flag=value</c> or <c>--flag value</c>)
/// falls back to its environment variable, then to its default. Pure: the environment is passed in.
/// </summary>
public static class OperatorCommandLine
{
    /// <summary>One flag and how it sets the options; <c>Apply</c> returns null for an invalid value.</summary>
    private sealed record Setting(string Flag, string Variable, string Default, string Accepted, string Description, Func<OperatorOptions, string, OperatorOptions?> Apply);

    private static readonly string[] Levels = ["Trace", "Debug", "Information", "Warning", "Error", "Critical"];

    private static readonly Setting[] Settings =
    [
        new("--namespaces", OperatorEnvironment.Namespaces, "(all)", "a comma-separated list of namespaces, empty for all",
            "Namespaces whose DataClusters are reconciled; one watch per namespace and kind. Empty: every namespace.",
            (o, v) => Namespaces(v) is { } list ? o with { Namespaces = list } : null),
        new("--leader-elect", OperatorEnvironment.LeaderElect, "true", "true or false",
            "Campaign for the Lease so one of several replicas reconciles; the others stand by and take over.",
            (o, v) => bool.TryParse(v, out var b) ? o with { LeaderElect = b } : null),
        new("--leader-election-namespace", OperatorEnvironment.LeaderElectionNamespace, "POD_NAMESPACE, else the kubeconfig's namespace", "a namespace name",
            $"Namespace of the leader-election Lease '{OperatorEnvironment.LeaderElectionLeaseName}'.",
            (o, v) => v.Length > 0 ? o with { LeaderElectionNamespace = v } : null),
        new("--metrics-bind-address", OperatorEnvironment.MetricsBindAddress, ":8080", "[HOST]:PORT, or 0 to disable",
            "Where Prometheus /metrics is served.",
            (o, v) => v == "0" ? o with { MetricsBindAddress = null } : BindAddress.TryParse(v, out var a) ? o with { MetricsBindAddress = a } : null),
        new("--health-probe-bind-address", OperatorEnvironment.HealthProbeBindAddress, ":8081", "[HOST]:PORT",
            "Where /healthz and /readyz are served (ready once caches synced, or while standing by).",
            (o, v) => BindAddress.TryParse(v, out var a) ? o with { HealthProbeBindAddress = a! } : null),
        new("--agent-image", OperatorEnvironment.AgentImage, OperatorOptions.DefaultAgentImage, "an image reference",
            "Agent image of DataClusters whose spec.agent.image is empty.",
            (o, v) => v.Length > 0 && !v.Any(char.IsWhiteSpace) ? o with { AgentImage = v } : null),
        new("--log-format", OperatorEnvironment.LogFormat, LogFormats.Json, LogFormats.Accepted,
            "Log line format: JSON objects for log collectors, or text for people.",
            (o, v) => v is LogFormats.Json or LogFormats.Text ? o with { LogFormat = v } : null),
        new("--log-level", OperatorEnvironment.LogLevel, "Information", string.Join(", ", Levels),
            "Minimum level logged.",
            (o, v) => Levels.FirstOrDefault(l => l.Equals(v, StringComparison.OrdinalIgnoreCase)) is { } l ? o with { LogLevel = Enum.Parse<LogLevel>(l) } : null),
        new("--kubeconfig", OperatorEnvironment.Kubeconfig, "the first file of KUBECONFIG, else ~/.kube/config, else in-cluster", "a kubeconfig file",
            "How to reach the API server.",
            (o, v) => v.Length > 0 ? o with { Kubeconfig = v } : null),
        new("--workers", OperatorEnvironment.Workers, "2", "an integer from 1 to 64",
            "Concurrent reconciles of different DataClusters.",
            (o, v) => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 64 ? o with { Workers = n } : null),
    ];

    /// <summary>Parses <paramref name="args"/> (without the command name) with <paramref name="environment"/> as fallback.</summary>
    public static OperatorCommandLineResult Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                return new OperatorCommandLineResult(null, true, null);
            }

            if (i == 0 && arg == "run")
            {
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var flag = equals >= 0 ? arg[..equals] : arg;
            var setting = Settings.FirstOrDefault(s => s.Flag == flag);
            if (setting is null)
            {
                return Error($"unknown argument '{arg}': accepted flags are {string.Join(", ", Settings.Select(s => s.Flag))} (see --help)");
            }

            string value;
            if (equals >= 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (setting.Flag == "--leader-elect" && (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal)))
            {
                value = "true"; // a bare boolean flag
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                return Error($"{flag} needs a value: {setting.Accepted}");
            }

            given[flag] = value;
        }

        var options = new OperatorOptions
        {
            LeaderElectionNamespace = environment(OperatorEnvironment.PodNamespace) is { Length: > 0 } podNamespace ? podNamespace : null,
        };
        foreach (var setting in Settings)
        {
            var fromFlag = given.TryGetValue(setting.Flag, out var flagValue);

            // KUBECONFIG may list several files; KubeConfig.Load() reads it with that meaning.
            var value = fromFlag ? flagValue : setting.Flag == "--kubeconfig" ? null : environment(setting.Variable);
            if (value is null || (!fromFlag && value.Length == 0))
            {
                continue;
            }

            var applied = setting.Apply(options, value.Trim());
            if (applied is null)
            {
                var source = fromFlag ? setting.Flag : $"{setting.Variable} (environment of {setting.Flag})";
                return Error($"{source} is '{value}': use {setting.Accepted}");
            }

            options = applied;
        }

        return new OperatorCommandLineResult(options, false, null);
    }

    /// <summary>The --help text: usage, then one line per flag with its variable, default and accepted values.</summary>
    public static string Help()
    {
        var text = new StringBuilder();
        text.AppendLine("usage: datacluster-operator [run] [FLAGS]          run the operator");
        text.AppendLine("       datacluster-operator generate-crd [FILE]    write the DataCluster CRD");
        text.AppendLine("       datacluster-operator generate-rbac [FILE]   write the operator's ClusterRole and binding");
        text.AppendLine();
        text.AppendLine("Flags (each also read from its environment variable; the flag wins):");
        foreach (var s in Settings)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {s.Flag} ({s.Variable})");
            text.AppendLine(CultureInfo.InvariantCulture, $"      {s.Description}");
            text.AppendLine(CultureInfo.InvariantCulture, $"      accepted: {s.Accepted}; default: {s.Default}");
        }

        return text.ToString();
    }

    private static List<string>? Namespaces(string value)
    {
        var list = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
        return list.All(IsDns1123Label) ? list : null;
    }

    private static bool IsDns1123Label(string name) =>
        name.Length is > 0 and <= 63
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
        && name[0] != '-' && name[^1] != '-';

    private static OperatorCommandLineResult Error(string message) => new(null, false, $"datacluster-operator: {message}");
}
