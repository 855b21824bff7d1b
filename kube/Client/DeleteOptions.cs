using System.Text.Json.Serialization;

namespace DataCluster.Kube.Client;

/// <summary>How to delete: what happens to dependents, grace period, and preconditions.</summary>
public sealed record DeleteOptions
{
    /// <summary>What the garbage collector does with dependents; null = the kind's default.</summary>
    public PropagationPolicy? PropagationPolicy { get; init; }

    /// <summary>Delete only if the object still has this uid (it was not deleted and recreated).</summary>
    public string? PreconditionUid { get; init; }

    /// <summary>Delete only if the object is still at this resourceVersion (optimistic concurrency).</summary>
    public string? PreconditionResourceVersion { get; init; }

    /// <summary>Seconds the object (a pod) gets to terminate; 0 = at once; null = its own default.</summary>
    public long? GracePeriodSeconds { get; init; }
}

/// <summary>metav1.DeletionPropagation.</summary>
public enum PropagationPolicy
{
    /// <summary>Delete the object now; the garbage collector deletes dependents afterwards.</summary>
    Background,

    /// <summary>The object stays (with a foregroundDeletion finalizer) until its blocking dependents are gone.</summary>
    Foreground,

    /// <summary>Dependents are kept and lose their owner reference.</summary>
    Orphan,
}

/// <summary>The wire shape of metav1.DeleteOptions.</summary>
internal sealed class DeleteOptionsBody
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "v1";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "DeleteOptions";
    [JsonPropertyName("propagationPolicy")] public string? PropagationPolicy { get; set; }
    [JsonPropertyName("gracePeriodSeconds")] public long? GracePeriodSeconds { get; set; }
    [JsonPropertyName("preconditions")] public PreconditionsBody? Preconditions { get; set; }

    public static DeleteOptionsBody From(DeleteOptions options) => new()
    {
        PropagationPolicy = options.PropagationPolicy?.ToString(),
        GracePeriodSeconds = options.GracePeriodSeconds,
        Preconditions = options.PreconditionUid is null && options.PreconditionResourceVersion is null
            ? null
            : new PreconditionsBody { Uid = options.PreconditionUid, ResourceVersion = options.PreconditionResourceVersion },
    };
}

internal sealed class PreconditionsBody
{
    [JsonPropertyName("uid")] public string? Uid { get; set; }
    [JsonPropertyName("resourceVersion")] public string? ResourceVersion { get; set; }
}
