using System.Globalization;
using System.Text;

namespace DataCluster.Ring;

/// <summary>
/// The compact, versioned text form of an <see cref="Assignment"/>, as the leader agent stores it
/// in the assignment ConfigMap and every agent and the operator read it back
/// (docs/assignment-encoding.md). Pure and thread-safe.
/// </summary>
/// <remarks>
/// Replica lists name members by their index in a member table written once, so 4096 partitions
/// at factor 3 take about 25 KB, well under the 1 MiB object limit even at 65536 partitions.
/// </remarks>
public static class AssignmentCodec
{
    /// <summary>The first line of every encoding; a reader refuses versions it does not know.</summary>
    public const string Header = "datacluster-assignment v1";

    public static string Encode(Assignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < assignment.Members.Count; i++)
        {
            index[assignment.Members[i]] = i;
        }

        var text = new StringBuilder(64 + (assignment.Partitions * assignment.ReplicationFactor * 4));
        text.Append(Header).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"epoch={assignment.Epoch} partitions={assignment.Partitions} factor={assignment.ReplicationFactor}\n");
        text.Append("members=").AppendJoin(',', assignment.Members).Append('\n');
        text.Append("draining=").AppendJoin(',', assignment.Draining).Append('\n');
        text.Append("replicas=");
        for (var p = 0; p < assignment.Partitions; p++)
        {
            if (p > 0)
            {
                text.Append(',');
            }

            var replicas = assignment.ReplicasOf(p);
            for (var r = 0; r < replicas.Length; r++)
            {
                if (r > 0)
                {
                    text.Append('.');
                }

                text.Append(index[replicas[r]].ToString(CultureInfo.InvariantCulture));
            }
        }

        text.Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// Reads an encoding. Throws <see cref="FormatException"/> naming what is wrong when the text
    /// is not a valid encoding of this version.
    /// </summary>
    public static Assignment Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        if (lines.Length < 5 || lines[0].TrimEnd('\r') != Header)
        {
            var first = lines.Length > 0 ? lines[0] : "";
            throw new FormatException(first.StartsWith("datacluster-assignment ", StringComparison.Ordinal)
                ? $"assignment encoding '{first}' is not supported by this version (expects '{Header}'); upgrade the agent or operator"
                : $"not an assignment encoding: the first line must be '{Header}'");
        }

        var fields = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2))
            .ToDictionary(f => f[0], f => f.Length > 1 ? f[1] : "", StringComparer.Ordinal);
        var epoch = Number(fields, "epoch");
        var partitions = (int)Number(fields, "partitions");
        var factor = (int)Number(fields, "factor");
        var members = List(Value(lines[2], "members"));
        var draining = List(Value(lines[3], "draining"));
        var body = Value(lines[4], "replicas");
        var encoded = partitions == 0 ? [] : body.Split(',');
        if (encoded.Length != partitions)
        {
            throw new FormatException($"assignment lists {encoded.Length} partitions but its header says {partitions}");
        }

        var replicas = new IReadOnlyList<string>[partitions];
        for (var p = 0; p < partitions; p++)
        {
            if (encoded[p].Length == 0)
            {
                replicas[p] = [];
                continue;
            }

            var indices = encoded[p].Split('.');
            var list = new string[indices.Length];
            for (var r = 0; r < indices.Length; r++)
            {
                if (!int.TryParse(indices[r], NumberStyles.None, CultureInfo.InvariantCulture, out var i) || i >= members.Length)
                {
                    throw new FormatException($"partition {p} names member index '{indices[r]}', but there are {members.Length} members");
                }

                list[r] = members[i];
            }

            replicas[p] = list;
        }

        try
        {
            return Assignment.Create(epoch, partitions, factor, replicas, draining);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"assignment is inconsistent: {e.Message}", e);
        }
    }

    /// <summary>Decodes, returning null with the reason instead of throwing.</summary>
    public static Assignment? TryDecode(string? text, out string? error)
    {
        error = null;
        if (text is null)
        {
            error = "not an assignment encoding: there is none";
            return null;
        }

        try
        {
            return Decode(text);
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
    }

    private static long Number(Dictionary<string, string> fields, string name)
    {
        if (!fields.TryGetValue(name, out var text) || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"assignment header lacks a valid '{name}'");
        }

        return value;
    }

    private static string Value(string line, string key)
    {
        line = line.TrimEnd('\r');
        var prefix = key + "=";
        if (!line.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new FormatException($"assignment line '{(line.Length > 40 ? line[..40] + "..." : line)}' should start with '{prefix}'");
        }

        return line[prefix.Length..];
    }

    private static string[] List(string value) =>
        value.Length == 0 ? [] : value.Split(',');
}
