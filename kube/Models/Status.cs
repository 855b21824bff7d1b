using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>metav1.Status: what the API server returns for errors and some deletes.</summary>
public sealed class Status : KubeModel
{
    [JsonPropertyName("apiVersion")] public string? ApiVersion { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("status")] public string? Result { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("code")] public int? Code { get; set; }
    [JsonPropertyName("details")] public StatusDetails? Details { get; set; }
}

/// <summary>metav1.StatusDetails.</summary>
public sealed class StatusDetails : KubeModel
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("group")] public string? Group { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("uid")] public string? Uid { get; set; }
    [JsonPropertyName("causes")] public List<StatusCause>? Causes { get; set; }
    [JsonPropertyName("retryAfterSeconds")] public int? RetryAfterSeconds { get; set; }
}

/// <summary>metav1.StatusCause: one field-level reason, e.g. a validation failure.</summary>
public sealed class StatusCause : KubeModel
{
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("field")] public string? Field { get; set; }
}
