using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>
/// v1 Event (core group), the form <c>kubectl describe</c> shows. The server writes the times it
/// has no value for as explicit JSON nulls (<c>"eventTime": null</c>, <c>"firstTimestamp": null</c>);
/// they read as null and are omitted on write.
/// </summary>
public sealed class Event : KubeObject
{
    /// <summary>The object the event is about; the event must live in that object's namespace.</summary>
    [JsonPropertyName("involvedObject")] public ObjectReference InvolvedObject { get; set; } = new();
    /// <summary>UpperCamelCase, machine-readable, e.g. "ScalingDown".</summary>
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
    /// <summary>Normal or Warning.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("source")] public EventSource? Source { get; set; }
    [JsonPropertyName("count")] public int? Count { get; set; }
    [JsonPropertyName("firstTimestamp")] public DateTimeOffset? FirstTimestamp { get; set; }
    [JsonPropertyName("lastTimestamp")] public DateTimeOffset? LastTimestamp { get; set; }
    /// <summary>MicroTime: six fractional digits on the wire.</summary>
    [JsonPropertyName("eventTime")][JsonConverter(typeof(MicroTimeConverter))] public DateTimeOffset? EventTime { get; set; }
    [JsonPropertyName("series")] public EventSeries? Series { get; set; }
    [JsonPropertyName("action")] public string? Action { get; set; }
    [JsonPropertyName("related")] public ObjectReference? Related { get; set; }
    [JsonPropertyName("reportingComponent")] public string? ReportingComponent { get; set; }
    [JsonPropertyName("reportingInstance")] public string? ReportingInstance { get; set; }
}

public sealed class EventSource : KubeModel
{
    [JsonPropertyName("component")] public string? Component { get; set; }
    [JsonPropertyName("host")] public string? Host { get; set; }
}

/// <summary>v1 EventSeries: set when the same event repeats, instead of bumping count alone.</summary>
public sealed class EventSeries : KubeModel
{
    [JsonPropertyName("count")] public int? Count { get; set; }
    [JsonPropertyName("lastObservedTime")][JsonConverter(typeof(MicroTimeConverter))] public DateTimeOffset? LastObservedTime { get; set; }
}
