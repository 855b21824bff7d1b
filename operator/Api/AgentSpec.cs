using System.Text.Json.Serialization;
using DataCluster.Contracts;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Api;

/// <summary>The agent container the operator adds to every member pod.</summary>
public sealed class AgentSpec : KubeModel
{
    [JsonPropertyName("image")]
    [Description("Agent container image. When omitted, the operator's default (its --agent-image flag) is used, so upgrading the operator upgrades the agents.")]
    public string? Image { get; set; }

    [JsonPropertyName("imagePullPolicy")]
    [Description("Pull policy of the agent image: Always, IfNotPresent or Never. Kubernetes' default when omitted (Always for :latest, else IfNotPresent).")]
    [OneOf(ImagePullPolicies.Always, ImagePullPolicies.IfNotPresent, ImagePullPolicies.Never)]
    public string? ImagePullPolicy { get; set; }

    [JsonPropertyName("resources")]
    [Description("Compute resources of the agent container.")]
    public AgentResources? Resources { get; set; }

    [JsonPropertyName("leaseDurationSeconds")]
    [Description("How long a member's heartbeat Lease stays valid without renewal. A member that stops renewing (killed, partitioned) is taken out of the ring after this long, so it bounds failover time; too short and a slow API server causes false failovers.")]
    [Minimum(Limits.LeaseDurationSeconds.Min)]
    [Maximum(Limits.LeaseDurationSeconds.Max)]
    public int LeaseDurationSeconds { get; set; } = Limits.LeaseDurationSeconds.Default;

    [JsonPropertyName("renewIntervalSeconds")]
    [Description("How often each agent renews its Lease. Must be less than leaseDurationSeconds; a third of it lets two renewals fail before the Lease expires.")]
    [Minimum(Limits.RenewIntervalSeconds.Min)]
    [Maximum(Limits.RenewIntervalSeconds.Max)]
    public int RenewIntervalSeconds { get; set; } = Limits.RenewIntervalSeconds.Default;

    [JsonPropertyName("appDeliveryUrl")]
    [Description("URL the agent pushes committed events to, in order per partition, usually http://localhost:PORT/PATH of an app container. A 2xx answer marks an event consumed. When omitted, apps pull events from the agent instead.")]
    [Pattern("^https?://.+")]
    public string? AppDeliveryUrl { get; set; }

    [JsonPropertyName("logLevel")]
    [Description("Minimum level the agent logs.")]
    [OneOf(LogLevels.Trace, LogLevels.Debug, LogLevels.Information, LogLevels.Warning, LogLevels.Error, LogLevels.Critical)]
    public string LogLevel { get; set; } = Defaults.LogLevel;

    [JsonPropertyName("env")]
    [Description("Extra environment variables of the agent container (EnvVar objects), appended after the ones the operator sets; a variable given here replaces the operator's of the same name. Each name at most once.")]
    [PreserveUnknownFields]
    public List<EnvVar>? Env { get; set; }
}

/// <summary>Requests and limits of the agent container, as in a container's resources.</summary>
public sealed class AgentResources : KubeModel
{
    [JsonPropertyName("requests")]
    [Description("Minimum resources the agent is scheduled with, e.g. cpu: 100m, memory: 64Mi.")]
    [Quantity]
    [JsonConverter(typeof(QuantityMapConverter))]
    public Dictionary<string, string>? Requests { get; set; }

    [JsonPropertyName("limits")]
    [Description("Maximum resources the agent may use, e.g. memory: 256Mi.")]
    [Quantity]
    [JsonConverter(typeof(QuantityMapConverter))]
    public Dictionary<string, string>? Limits { get; set; }
}

/// <summary>Values of <see cref="AgentSpec.ImagePullPolicy"/>.</summary>
public static class ImagePullPolicies
{
    public const string Always = "Always";
    public const string IfNotPresent = "IfNotPresent";
    public const string Never = "Never";

    public static readonly IReadOnlyList<string> Values = [Always, IfNotPresent, Never];
}

/// <summary>Values of <see cref="AgentSpec.LogLevel"/>: the names of Microsoft.Extensions.Logging's levels, which the agent uses.</summary>
public static class LogLevels
{
    public const string Trace = "Trace";
    public const string Debug = "Debug";
    public const string Information = "Information";
    public const string Warning = "Warning";
    public const string Error = "Error";
    public const string Critical = "Critical";

    public static readonly IReadOnlyList<string> Values = [Trace, Debug, Information, Warning, Error, Critical];
}
