using System.Text.Json;

namespace DataCluster.LocalCluster.ControlPlane;

/// <summary>One request as the API server's audit log records it.</summary>
public sealed record AuditEvent(
    DateTimeOffset Time,
    string User,
    string Verb,
    string Resource,
    string Subresource,
    string Namespace,
    string Name,
    int Code)
{
    /// <summary>create, update, patch, delete and deletecollection change state; the rest read.</summary>
    public bool IsWrite => Verb is "create" or "update" or "patch" or "delete" or "deletecollection";
}

/// <summary>Reads the audit log the test control plane writes.</summary>
public static class AuditLog
{
    /// <summary>Records every request once, when it completes, without bodies.</summary>
    public const string Policy = """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: ["RequestReceived", "ResponseStarted"]
        rules:
        - level: Metadata
        """;

    /// <summary>All events recorded so far, in order.</summary>
    public static IReadOnlyList<AuditEvent> Read(string path)
    {
        var events = new List<AuditEvent>();
        if (!File.Exists(path))
        {
            return events;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                var objectRef = root.TryGetProperty("objectRef", out var o) ? o : default;
                events.Add(new AuditEvent(
                    root.TryGetProperty("stageTimestamp", out var t) ? t.GetDateTimeOffset() : default,
                    root.GetProperty("user").TryGetProperty("username", out var u) ? u.GetString() ?? "" : "",
                    root.GetProperty("verb").GetString() ?? "",
                    Text(objectRef, "resource"),
                    Text(objectRef, "subresource"),
                    Text(objectRef, "namespace"),
                    Text(objectRef, "name"),
                    root.TryGetProperty("responseStatus", out var s) && s.TryGetProperty("code", out var c) ? c.GetInt32() : 0));
            }
            catch (JsonException)
            {
                // The last line may be half written while the server runs.
            }
        }

        return events;
    }

    private static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value.GetString() ?? "" : "";
}
