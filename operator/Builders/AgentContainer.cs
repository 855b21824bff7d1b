using System.Globalization;
using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;

namespace DataCluster.Operator.Builders;

/// <summary>The agent container the operator adds to every member pod.</summary>
public static class AgentContainer
{
    /// <summary>
    /// The non-root "app" user of the .NET container images (their APP_UID). Fixed here so the
    /// kubelet can verify runAsNonRoot even when an image names its user instead of numbering it,
    /// and so fsGroup can give that user the data volume.
    /// </summary>
    public const long UserId = 1654;

    /// <summary>Where the agent's emptyDir /tmp is mounted; the root filesystem is read-only.</summary>
    public const string TmpDirectory = "/tmp";

    /// <summary>
    /// The container for <paramref name="cluster"/>, which must be defaulted. Environment: every
    /// variable of <see cref="AgentEnvironment"/> the spec or the pod determines, in the order of
    /// that table, then the runtime settings of <see cref="AgentRuntimeEnvironment"/>, then the
    /// user's spec.agent.env. A name the user gives replaces the operator's variable of that name
    /// rather than repeating it: the API server refuses a server-side apply of a container whose
    /// env lists a name twice, so a repeat would keep the StatefulSet from being written at all.
    /// </summary>
    internal static Container Build(DefaultedCluster cluster, BuilderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var spec = cluster.Spec;
        var agent = spec.Agent;
        var env = Environment(cluster);
        env.AddRange(AgentRuntimeEnvironment.All.Select(v => Literal(v.Key, v.Value)));
        var user = agent.Env?.Where(e => e is not null).ToList() ?? [];
        var given = user.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        env.RemoveAll(e => given.Contains(e.Name));
        env.AddRange(user);

        return new Container
        {
            Name = AgentPaths.ContainerName,
            Image = Defaults.AgentImage(agent, options.DefaultAgentImage) ?? "",
            ImagePullPolicy = agent.ImagePullPolicy,
            Env = env,
            Ports =
            [
                new ContainerPort { Name = AgentPorts.ClientName, Port = AgentPorts.Client, Protocol = "TCP" },
                new ContainerPort { Name = AgentPorts.PeerName, Port = AgentPorts.Peer, Protocol = "TCP" },
            ],
            Resources = agent.Resources is { } resources
                ? new ResourceRequirements
                {
                    Requests = resources.Requests is null ? null : new Dictionary<string, string>(resources.Requests, StringComparer.Ordinal),
                    Limits = resources.Limits is null ? null : new Dictionary<string, string>(resources.Limits, StringComparer.Ordinal),
                }
                : null,
            VolumeMounts =
            [
                new VolumeMount { Name = AgentPaths.DataVolume, MountPath = AgentPaths.DataDirectory },
                new VolumeMount { Name = AgentPaths.PeerTokenVolume, MountPath = AgentPaths.PeerTokenDirectory, ReadOnly = true },
                new VolumeMount { Name = Validation.TmpVolume, MountPath = TmpDirectory },
            ],
            // Startup covers log recovery after a crash (replaying and truncating torn tails), which
            // can take minutes on a large volume: liveness must not kill the agent during it.
            // 2 s x 150 = up to five minutes, while a quick start is noticed within two seconds.
            StartupProbe = Probe("/healthz", periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 150),
            // Liveness only recovers a hung agent. A restart costs the member its leaderships, and
            // lease expiry already moves partitions off a hung member within the lease duration,
            // so be patient: six failed checks ten seconds apart (a minute) before a restart.
            LivenessProbe = Probe("/healthz", periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6),
            // Readiness gates the client Service and the ring's ready condition. Every 5 s with two
            // failures to flip keeps a single slow check from dropping a member; hard failures are
            // caught faster by the member Lease than by this probe.
            ReadinessProbe = Probe("/readyz", periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2),
            // Shows the last log lines in the pod status when the agent exits with an error (for
            // example the one-line configuration error and exit code 2).
            TerminationMessagePolicy = "FallbackToLogsOnError",
            SecurityContext = new SecurityContext
            {
                RunAsNonRoot = true,
                RunAsUser = UserId,
                RunAsGroup = UserId,
                AllowPrivilegeEscalation = false,
                ReadOnlyRootFilesystem = true,
                Capabilities = new Capabilities { Drop = ["ALL"] },
                SeccompProfile = new SeccompProfile { Type = "RuntimeDefault" },
            },
        };
    }

    /// <summary>The operator-determined variables, in the order of <see cref="AgentEnvironment.All"/>.</summary>
    internal static List<EnvVar> Environment(DefaultedCluster cluster)
    {
        var spec = cluster.Spec;
        var values = new Dictionary<string, EnvVar>(StringComparer.Ordinal)
        {
            [AgentEnvironment.ClusterName] = Literal(AgentEnvironment.ClusterName, Owner.ClusterName(cluster)),
            [AgentEnvironment.PodName] = FieldRef(AgentEnvironment.PodName, "metadata.name"),
            [AgentEnvironment.PodNamespace] = FieldRef(AgentEnvironment.PodNamespace, "metadata.namespace"),
            [AgentEnvironment.PodIp] = FieldRef(AgentEnvironment.PodIp, "status.podIP"),
            [AgentEnvironment.NodeName] = FieldRef(AgentEnvironment.NodeName, "spec.nodeName"),
            // Ports and paths repeat the agent's defaults on purpose: the operator wires the
            // container ports, probes and volumes to exactly these values. Setting them also
            // shields them from service links: a Service named "datacluster-client" in the
            // namespace would otherwise inject DATACLUSTER_CLIENT_PORT=tcp://IP:PORT.
            [AgentEnvironment.ClientPort] = Literal(AgentEnvironment.ClientPort, AgentPorts.Client),
            [AgentEnvironment.PeerPort] = Literal(AgentEnvironment.PeerPort, AgentPorts.Peer),
            [AgentEnvironment.DataDirectory] = Literal(AgentEnvironment.DataDirectory, AgentPaths.DataDirectory),
            [AgentEnvironment.PeerTokenFile] = Literal(AgentEnvironment.PeerTokenFile, $"{AgentPaths.PeerTokenDirectory}/{AgentPaths.PeerTokenKey}"),
            [AgentEnvironment.LeaseDurationSeconds] = Literal(AgentEnvironment.LeaseDurationSeconds, spec.Agent.LeaseDurationSeconds),
            [AgentEnvironment.RenewIntervalSeconds] = Literal(AgentEnvironment.RenewIntervalSeconds, spec.Agent.RenewIntervalSeconds),
            [AgentEnvironment.Partitions] = Literal(AgentEnvironment.Partitions, spec.Partitions),
            [AgentEnvironment.ReplicationFactor] = Literal(AgentEnvironment.ReplicationFactor, spec.Replication.Factor),
            [AgentEnvironment.CommitLevel] = Literal(AgentEnvironment.CommitLevel, spec.Replication.CommitLevel),
            [AgentEnvironment.OtherZoneReplicas] = Literal(AgentEnvironment.OtherZoneReplicas, spec.Replication.OtherZoneReplicas),
            [AgentEnvironment.OtherRegionReplicas] = Literal(AgentEnvironment.OtherRegionReplicas, spec.Replication.OtherRegionReplicas),
            [AgentEnvironment.Substitutes] = Literal(AgentEnvironment.Substitutes, spec.Replication.Substitutes ? "true" : "false"),
            [AgentEnvironment.LogLevel] = Literal(AgentEnvironment.LogLevel, spec.Agent.LogLevel),
        };

        if (!string.IsNullOrEmpty(spec.Agent.AppDeliveryUrl))
        {
            values[AgentEnvironment.AppDeliveryUrl] = Literal(AgentEnvironment.AppDeliveryUrl, spec.Agent.AppDeliveryUrl);
        }

        return [.. AgentEnvironment.All.Where(v => values.ContainsKey(v.Name)).Select(v => values[v.Name])];
    }

    private static EnvVar Literal(string name, string value) => new() { Name = name, Value = value };

    private static EnvVar Literal(string name, int value) => Literal(name, value.ToString(CultureInfo.InvariantCulture));

    private static EnvVar FieldRef(string name, string fieldPath) => new()
    {
        Name = name,
        ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { ApiVersion = "v1", FieldPath = fieldPath } },
    };

    private static Probe Probe(string path, int periodSeconds, int timeoutSeconds, int failureThreshold) => new()
    {
        HttpGet = new HttpGetAction { Path = path, Port = AgentPorts.ClientName, Scheme = "HTTP" },
        PeriodSeconds = periodSeconds,
        TimeoutSeconds = timeoutSeconds,
        FailureThreshold = failureThreshold,
        SuccessThreshold = 1,
    };
}
