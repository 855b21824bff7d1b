using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataCluster.Operator.Controllers;

/// <summary>
/// Decides whether a live object already has everything a desired one states, so the reconciler
/// writes only when something really differs. Pure and thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// "Desired is a subset of live": every field set in desired must be in live with an equal value;
/// fields only live has (server defaults such as a container's terminationMessagePath, a
/// Service's clusterIP, metadata the server owns) are ignored. A desired empty collection or
/// zero value matches an absent field, because the API server drops those (omitempty). Lists
/// are compared item by item and must have the same length: a list is a whole value, and an
/// extra live item (say a container the user removed from the template) must be written away.
/// Quantities under requests, limits and capacity compare by value, since the server
/// canonicalizes them ("0.5" is stored as "500m").
/// </para>
/// <para>
/// Some fields are dropped by some servers: <see cref="IsSubset(JsonNode?, JsonNode?, IReadOnlySet{string}?)"/>
/// takes paths (e.g. <c>endpoints[].conditions.serving</c>) whose absence in live is accepted.
/// </para>
/// </remarks>
public static class SemanticEquality
{
    private static readonly HashSet<string> QuantityMaps = new(StringComparer.Ordinal) { "requests", "limits", "capacity", "allocatable" };

    /// <summary>Whether <paramref name="desired"/> is a subset of <paramref name="live"/> as described above.</summary>
    /// <param name="desired">The desired object as JSON.</param>
    /// <param name="live">The live object as JSON.</param>
    /// <param name="ignoreWhenAbsent">Paths (object keys joined by '.', list items as '[]') that may be missing from live.</param>
    public static bool IsSubset(JsonNode? desired, JsonNode? live, IReadOnlySet<string>? ignoreWhenAbsent = null) =>
        Subset(desired, live, "", "", ignoreWhenAbsent ?? EmptySet);

    /// <summary>The same for typed objects, serialized with their source-generated metadata.</summary>
    public static bool IsSubset<T>(T desired, T live, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, IReadOnlySet<string>? ignoreWhenAbsent = null) =>
        IsSubset(JsonSerializer.SerializeToNode(desired, typeInfo), JsonSerializer.SerializeToNode(live, typeInfo), ignoreWhenAbsent);

    private static readonly HashSet<string> EmptySet = [];

    private static bool Subset(JsonNode? desired, JsonNode? live, string path, string key, IReadOnlySet<string> ignore)
    {
        switch (desired)
        {
            case null:
                return true;
            case JsonObject wanted:
                if (live is not JsonObject have)
                {
                    return live is null && IsEmptyOrZero(wanted);
                }

                foreach (var (name, value) in wanted)
                {
                    var childPath = path.Length == 0 ? name : $"{path}.{name}";
                    if (value is null)
                    {
                        continue;
                    }

                    if (!have.TryGetPropertyValue(name, out var actual) || actual is null)
                    {
                        if (IsEmptyOrZero(value) || ignore.Contains(childPath))
                        {
                            continue;
                        }

                        return false;
                    }

                    if (!Subset(value, actual, childPath, name, ignore))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray wantedList:
                if (live is not JsonArray haveList)
                {
                    return live is null && wantedList.Count == 0;
                }

                if (wantedList.Count != haveList.Count)
                {
                    return false;
                }

                for (var i = 0; i < wantedList.Count; i++)
                {
                    if (!Subset(wantedList[i], haveList[i], path + "[]", key, ignore))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValue value:
                return live is JsonValue actualValue && ScalarsEqual(value, actualValue, QuantityMaps.Contains(ParentKey(path)));
            default:
                return false;
        }
    }

    private static string ParentKey(string path)
    {
        var last = path.LastIndexOf('.');
        if (last < 0)
        {
            return "";
        }

        var parent = path[..last];
        var previous = parent.LastIndexOf('.');
        return previous < 0 ? parent : parent[(previous + 1)..];
    }

    private static bool ScalarsEqual(JsonValue desired, JsonValue live, bool quantity)
    {
        var a = desired.GetValueKind();
        var b = live.GetValueKind();
        if (quantity && Quantities.TryParse(Text(desired), out var x) && Quantities.TryParse(Text(live), out var y))
        {
            return x == y;
        }

        if (a == JsonValueKind.Number && b == JsonValueKind.Number)
        {
            return decimal.TryParse(desired.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var m)
                && decimal.TryParse(live.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
                ? m == n
                : desired.ToJsonString() == live.ToJsonString();
        }

        return a == b && desired.ToJsonString() == live.ToJsonString();
    }

    private static string Text(JsonValue value) =>
        value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();

    private static bool IsEmptyOrZero(JsonNode node) => node switch
    {
        JsonObject obj => obj.All(p => p.Value is null || IsEmptyOrZero(p.Value)),
        JsonArray list => list.Count == 0,
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.False => true,
            JsonValueKind.String => value.GetValue<string>().Length == 0,
            JsonValueKind.Number => value.ToJsonString() is "0" or "0.0",
            _ => false,
        },
        _ => false,
    };
}

/// <summary>Parses Kubernetes quantities ("500m", "1Gi", "2", "1e3") into exact decimal values, for comparison.</summary>
public static class Quantities
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("n", 0.000000001m), ("u", 0.000001m), ("m", 0.001m),
        ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m), ("P", 1e15m), ("E", 1e18m),
    ];

    /// <summary>The value of <paramref name="text"/>; false when it is not a quantity (or out of decimal range).</summary>
    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        foreach (var (suffix, factor) in Suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && TryNumber(text[..^suffix.Length], out var number))
            {
                try
                {
                    value = number * factor;
                    return true;
                }
                catch (OverflowException)
                {
                    return false;
                }
            }
        }

        return TryNumber(text, out value);
    }

    private static bool TryNumber(string text, out decimal value)
    {
        value = 0;
        if (text.Length == 0 || text.Contains(' ', StringComparison.Ordinal))
        {
            return false;
        }

        return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value);
    }
}
