using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>v1 Probe: one handler (exec, httpGet, tcpSocket or grpc) plus timings in seconds.</summary>
public sealed class Probe : KubeModel
{
    [JsonPropertyName("exec")] public ExecAction? Exec { get; set; }
    [JsonPropertyName("httpGet")] public HttpGetAction? HttpGet { get; set; }
    [JsonPropertyName("tcpSocket")] public TcpSocketAction? TcpSocket { get; set; }
    [JsonPropertyName("grpc")] public GrpcAction? Grpc { get; set; }
    [JsonPropertyName("initialDelaySeconds")] public int? InitialDelaySeconds { get; set; }
    [JsonPropertyName("timeoutSeconds")] public int? TimeoutSeconds { get; set; }
    [JsonPropertyName("periodSeconds")] public int? PeriodSeconds { get; set; }
    [JsonPropertyName("successThreshold")] public int? SuccessThreshold { get; set; }
    [JsonPropertyName("failureThreshold")] public int? FailureThreshold { get; set; }
    [JsonPropertyName("terminationGracePeriodSeconds")] public long? TerminationGracePeriodSeconds { get; set; }
}

public sealed class ExecAction : KubeModel
{
    [JsonPropertyName("command")] public List<string>? Command { get; set; }
}

/// <summary>v1 HTTPGetAction. <see cref="Port"/> is a number or the name of a container port.</summary>
public sealed class HttpGetAction : KubeModel
{
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonPropertyName("port")] public IntOrString Port { get; set; }
    [JsonPropertyName("host")] public string? Host { get; set; }
    /// <summary>HTTP or HTTPS.</summary>
    [JsonPropertyName("scheme")] public string? Scheme { get; set; }
    [JsonPropertyName("httpHeaders")] public List<HttpHeader>? HttpHeaders { get; set; }
}

public sealed class HttpHeader : KubeModel
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("value")] public string Value { get; set; } = "";
}

/// <summary>v1 TCPSocketAction. <see cref="Port"/> is a number or the name of a container port.</summary>
public sealed class TcpSocketAction : KubeModel
{
    [JsonPropertyName("port")] public IntOrString Port { get; set; }
    [JsonPropertyName("host")] public string? Host { get; set; }
}

public sealed class GrpcAction : KubeModel
{
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("service")] public string? Service { get; set; }
}

/// <summary>v1 Lifecycle: hooks run by the kubelet after start and before stop.</summary>
public sealed class Lifecycle : KubeModel
{
    [JsonPropertyName("postStart")] public LifecycleHandler? PostStart { get; set; }
    /// <summary>Runs before SIGTERM and counts against terminationGracePeriodSeconds.</summary>
    [JsonPropertyName("preStop")] public LifecycleHandler? PreStop { get; set; }
}

/// <summary>v1 LifecycleHandler: exactly one action.</summary>
public sealed class LifecycleHandler : KubeModel
{
    [JsonPropertyName("exec")] public ExecAction? Exec { get; set; }
    [JsonPropertyName("httpGet")] public HttpGetAction? HttpGet { get; set; }
    [JsonPropertyName("tcpSocket")] public TcpSocketAction? TcpSocket { get; set; }
    /// <summary>Pause before the container is stopped (1.29+).</summary>
    [JsonPropertyName("sleep")] public SleepAction? Sleep { get; set; }
}

public sealed class SleepAction : KubeModel
{
    [JsonPropertyName("seconds")] public long Seconds { get; set; }
}
