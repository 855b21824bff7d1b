using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>v1 Container (also used for init containers).</summary>
public sealed class Container : KubeModel
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("image")] public string? Image { get; set; }
    /// <summary>Always, IfNotPresent or Never.</summary>
    [JsonPropertyName("imagePullPolicy")] public string? ImagePullPolicy { get; set; }
    [JsonPropertyName("command")] public List<string>? Command { get; set; }
    [JsonPropertyName("args")] public List<string>? Args { get; set; }
    [JsonPropertyName("workingDir")] public string? WorkingDir { get; set; }
    [JsonPropertyName("ports")] public List<ContainerPort>? Ports { get; set; }
    [JsonPropertyName("envFrom")] public List<EnvFromSource>? EnvFrom { get; set; }
    [JsonPropertyName("env")] public List<EnvVar>? Env { get; set; }
    [JsonPropertyName("resources")] public ResourceRequirements? Resources { get; set; }
    /// <summary>Only for init containers: "Always" makes it a sidecar that runs beside the main containers (1.28+).</summary>
    [JsonPropertyName("restartPolicy")] public string? RestartPolicy { get; set; }
    [JsonPropertyName("volumeMounts")] public List<VolumeMount>? VolumeMounts { get; set; }
    [JsonPropertyName("livenessProbe")] public Probe? LivenessProbe { get; set; }
    [JsonPropertyName("readinessProbe")] public Probe? ReadinessProbe { get; set; }
    [JsonPropertyName("startupProbe")] public Probe? StartupProbe { get; set; }
    [JsonPropertyName("lifecycle")] public Lifecycle? Lifecycle { get; set; }
    [JsonPropertyName("terminationMessagePath")] public string? TerminationMessagePath { get; set; }
    [JsonPropertyName("terminationMessagePolicy")] public string? TerminationMessagePolicy { get; set; }
    [JsonPropertyName("securityContext")] public SecurityContext? SecurityContext { get; set; }
    [JsonPropertyName("stdin")] public bool? Stdin { get; set; }
    [JsonPropertyName("tty")] public bool? Tty { get; set; }
}

/// <summary>v1 ContainerPort. Protocol defaults to TCP on the server.</summary>
public sealed class ContainerPort : KubeModel
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    /// <summary>The port number; <c>containerPort</c> on the wire.</summary>
    [JsonPropertyName("containerPort")] public int Port { get; set; }
    [JsonPropertyName("protocol")] public string? Protocol { get; set; }
    [JsonPropertyName("hostPort")] public int? HostPort { get; set; }
    [JsonPropertyName("hostIP")] public string? HostIp { get; set; }
}

/// <summary>v1 EnvVar: a literal <see cref="Value"/> or a <see cref="ValueFrom"/> reference, not both.</summary>
public sealed class EnvVar : KubeModel
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("value")] public string? Value { get; set; }
    [JsonPropertyName("valueFrom")] public EnvVarSource? ValueFrom { get; set; }
}

/// <summary>v1 EnvVarSource: exactly one of the references is set.</summary>
public sealed class EnvVarSource : KubeModel
{
    [JsonPropertyName("fieldRef")] public ObjectFieldSelector? FieldRef { get; set; }
    [JsonPropertyName("resourceFieldRef")] public ResourceFieldSelector? ResourceFieldRef { get; set; }
    [JsonPropertyName("configMapKeyRef")] public ConfigMapKeySelector? ConfigMapKeyRef { get; set; }
    [JsonPropertyName("secretKeyRef")] public SecretKeySelector? SecretKeyRef { get; set; }
}

/// <summary>v1 ObjectFieldSelector: a downward API field such as metadata.name or status.podIP.</summary>
public sealed class ObjectFieldSelector : KubeModel
{
    [JsonPropertyName("apiVersion")] public string? ApiVersion { get; set; }
    [JsonPropertyName("fieldPath")] public string FieldPath { get; set; } = "";
}

/// <summary>v1 ResourceFieldSelector: a container's limits.cpu, requests.memory, ... scaled by <see cref="Divisor"/>.</summary>
public sealed class ResourceFieldSelector : KubeModel
{
    [JsonPropertyName("containerName")] public string? ContainerName { get; set; }
    [JsonPropertyName("resource")] public string Resource { get; set; } = "";
    /// <summary>A quantity; the server defaults it to "0", which means 1.</summary>
    [JsonPropertyName("divisor")][JsonConverter(typeof(QuantityConverter))] public string? Divisor { get; set; }
}

public sealed class ConfigMapKeySelector : KubeModel
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("key")] public string Key { get; set; } = "";
    [JsonPropertyName("optional")] public bool? Optional { get; set; }
}

public sealed class SecretKeySelector : KubeModel
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("key")] public string Key { get; set; } = "";
    [JsonPropertyName("optional")] public bool? Optional { get; set; }
}

/// <summary>v1 EnvFromSource: every key of a ConfigMap or Secret as a variable, with an optional prefix.</summary>
public sealed class EnvFromSource : KubeModel
{
    [JsonPropertyName("prefix")] public string? Prefix { get; set; }
    [JsonPropertyName("configMapRef")] public ConfigMapEnvSource? ConfigMapRef { get; set; }
    [JsonPropertyName("secretRef")] public SecretEnvSource? SecretRef { get; set; }
}

public sealed class ConfigMapEnvSource : KubeModel
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("optional")] public bool? Optional { get; set; }
}

public sealed class SecretEnvSource : KubeModel
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("optional")] public bool? Optional { get; set; }
}

/// <summary>
/// v1 ResourceRequirements (and VolumeResourceRequirements, which has the same JSON without
/// claims). Keys are resource names (cpu, memory, storage, ...), values quantities as strings;
/// see <see cref="Quantity"/>.
/// </summary>
public sealed class ResourceRequirements : KubeModel
{
    [JsonPropertyName("limits")][JsonConverter(typeof(QuantityMapConverter))] public Dictionary<string, string>? Limits { get; set; }
    [JsonPropertyName("requests")][JsonConverter(typeof(QuantityMapConverter))] public Dictionary<string, string>? Requests { get; set; }
}

/// <summary>v1 VolumeMount.</summary>
public sealed class VolumeMount : KubeModel
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("mountPath")] public string MountPath { get; set; } = "";
    [JsonPropertyName("readOnly")] public bool? ReadOnly { get; set; }
    [JsonPropertyName("subPath")] public string? SubPath { get; set; }
    [JsonPropertyName("subPathExpr")] public string? SubPathExpr { get; set; }
    [JsonPropertyName("mountPropagation")] public string? MountPropagation { get; set; }
}

/// <summary>v1 SecurityContext: per-container settings; they override the pod's <see cref="PodSecurityContext"/>.</summary>
public sealed class SecurityContext : KubeModel
{
    [JsonPropertyName("capabilities")] public Capabilities? Capabilities { get; set; }
    [JsonPropertyName("privileged")] public bool? Privileged { get; set; }
    [JsonPropertyName("runAsUser")] public long? RunAsUser { get; set; }
    [JsonPropertyName("runAsGroup")] public long? RunAsGroup { get; set; }
    [JsonPropertyName("runAsNonRoot")] public bool? RunAsNonRoot { get; set; }
    [JsonPropertyName("readOnlyRootFilesystem")] public bool? ReadOnlyRootFilesystem { get; set; }
    [JsonPropertyName("allowPrivilegeEscalation")] public bool? AllowPrivilegeEscalation { get; set; }
    [JsonPropertyName("procMount")] public string? ProcMount { get; set; }
    [JsonPropertyName("seccompProfile")] public SeccompProfile? SeccompProfile { get; set; }
}

/// <summary>v1 Capabilities: POSIX capability names without the CAP_ prefix, e.g. "ALL", "NET_BIND_SERVICE".</summary>
public sealed class Capabilities : KubeModel
{
    [JsonPropertyName("add")] public List<string>? Add { get; set; }
    [JsonPropertyName("drop")] public List<string>? Drop { get; set; }
}
