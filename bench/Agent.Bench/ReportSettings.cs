using System.Globalization;
using DataCluster.LocalCluster;

namespace DataCluster.Agent.Bench;

/// <summary>What <see cref="Report"/> measures; defaults are the figures DESIGN section 11 asks for.</summary>
internal sealed record ReportSettings
{
    public required string Agent { get; init; }

    /// <summary>The published hello-world, or null to skip the comparison.</summary>
    public string? Hello { get; init; }

    public int Partitions { get; init; } = 256;

    public int Members { get; init; } = 3;

    /// <summary>The larger cluster whose per-agent memory is reported too; 0 skips it.</summary>
    public int Large { get; init; } = 10;

    /// <summary>Idle RSS is the median of one sample a second over this long.</summary>
    public TimeSpan Sampling { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Variables set for every agent.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Further variable sets to compare, each measured on a small cluster of its own against the
    /// same API server after the plain run (runtime settings under trial, e.g. DOTNET_GCgen0size).
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Trials { get; init; } = [];

    public static ReportSettings Parse(string[] args)
    {
        var root = RepositoryLayout.Root();
        string? hello = Path.Combine(root, "artifacts", "bench-hello", "hello");
        var settings = new ReportSettings { Agent = RepositoryLayout.AgentBinary(root) };
        var environment = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            settings = args[i] switch
            {
                "--agent" => settings with { Agent = Path.GetFullPath(value) },
                "--partitions" => settings with { Partitions = int.Parse(value, CultureInfo.InvariantCulture) },
                "--members" => settings with { Members = int.Parse(value, CultureInfo.InvariantCulture) },
                "--large" => settings with { Large = int.Parse(value, CultureInfo.InvariantCulture) },
                "--sample-seconds" => settings with { Sampling = TimeSpan.FromSeconds(int.Parse(value, CultureInfo.InvariantCulture)) },
                "--hello" => settings,
                "--env" => settings,
                "--trial" => settings with { Trials = [.. settings.Trials, Variables(value.Split(' ', StringSplitOptions.RemoveEmptyEntries))] },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
            if (args[i] == "--hello")
            {
                hello = value == "none" ? null : Path.GetFullPath(value);
            }
            else if (args[i] == "--env")
            {
                foreach (var (name, text) in Variables([value]))
                {
                    environment[name] = text;
                }
            }
        }

        return settings with { Hello = hello is not null && File.Exists(hello) ? hello : null, Environment = environment };
    }

    private static Dictionary<string, string> Variables(IEnumerable<string> assignments) =>
        assignments.Select(a => a.Split('=', 2)).ToDictionary(
            pair => pair[0],
            pair => pair.Length == 2 ? pair[1] : throw new ArgumentException($"'{pair[0]}' is not NAME=VALUE"),
            StringComparer.Ordinal);
}
