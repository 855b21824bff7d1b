namespace DataCluster.Kube.Selectors;

/// <summary>
/// A parsed label selector in the API server's string syntax, evaluated locally (informer
/// cache reads). Supports equality (=, ==, !=), set (in, notin) and existence (key, !key)
/// requirements joined by commas. Immutable and thread-safe.
/// </summary>
public sealed class LabelSelectorExpression
{
    private readonly IReadOnlyList<Requirement> _requirements;

    private LabelSelectorExpression(IReadOnlyList<Requirement> requirements) => _requirements = requirements;

    /// <summary>Matches every object.</summary>
    public static LabelSelectorExpression Everything { get; } = new([]);

    /// <summary>Parses <paramref name="selector"/>; null or blank selects everything.</summary>
    /// <exception cref="FormatException">The selector is malformed; the message shows where.</exception>
    public static LabelSelectorExpression Parse(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return Everything;
        }

        var requirements = new List<Requirement>();
        foreach (var part in SplitTopLevel(selector))
        {
            requirements.Add(ParseRequirement(part.Trim(), selector));
        }

        return new LabelSelectorExpression(requirements);
    }

    /// <summary>Whether an object with <paramref name="labels"/> is selected.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        foreach (var requirement in _requirements)
        {
            string? value = null;
            var has = labels is not null && labels.TryGetValue(requirement.Key, out value);
            var ok = requirement.Operator switch
            {
                Op.Exists => has,
                Op.DoesNotExist => !has,
                Op.In => has && requirement.Values.Contains(value!),
                Op.NotIn => !has || !requirement.Values.Contains(value!),
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<string> SplitTopLevel(string selector)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < selector.Length; i++)
        {
            switch (selector[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return selector[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return selector[start..];
    }

    private static Requirement ParseRequirement(string text, string selector)
    {
        if (text.Length == 0)
        {
            throw new FormatException($"Label selector '{selector}' has an empty requirement.");
        }

        if (text[0] == '!')
        {
            return new Requirement(ValidKey(text[1..].Trim(), selector), Op.DoesNotExist, []);
        }

        var notEquals = text.IndexOf("!=", StringComparison.Ordinal);
        if (notEquals > 0)
        {
            return new Requirement(ValidKey(text[..notEquals].Trim(), selector), Op.NotIn, [text[(notEquals + 2)..].Trim()]);
        }

        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0)
        {
            var valueStart = equals + (equals + 1 < text.Length && text[equals + 1] == '=' ? 2 : 1);
            return new Requirement(ValidKey(text[..equals].Trim(), selector), Op.In, [text[valueStart..].Trim()]);
        }

        var open = text.IndexOf('(', StringComparison.Ordinal);
        if (open > 0)
        {
            if (text[^1] != ')')
            {
                throw new FormatException($"Label selector '{selector}': '{text}' lacks a closing parenthesis.");
            }

            var head = text[..open].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (head.Length != 2 || (head[1] != "in" && head[1] != "notin"))
            {
                throw new FormatException($"Label selector '{selector}': '{text}' should read 'key in (a,b)' or 'key notin (a,b)'.");
            }

            var values = text[(open + 1)..^1].Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            return new Requirement(ValidKey(head[0], selector), head[1] == "in" ? Op.In : Op.NotIn, values);
        }

        return new Requirement(ValidKey(text, selector), Op.Exists, []);
    }

    private static string ValidKey(string key, string selector)
    {
        if (key.Length == 0 || key.AsSpan().IndexOfAny(" ()=!<>,") >= 0)
        {
            throw new FormatException($"Label selector '{selector}' has the invalid key '{key}'.");
        }

        return key;
    }

    private enum Op
    {
        In,
        NotIn,
        Exists,
        DoesNotExist,
    }

    private sealed record Requirement(string Key, Op Operator, HashSet<string> Values);
}
