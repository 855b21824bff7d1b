using System.Text;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// Kubernetes' $(VAR) expansion in env values, command and args: <c>$(NAME)</c> becomes the
/// value of a variable defined earlier, an undefined reference stays as written, and <c>$$</c>
/// escapes a dollar. Pure.
/// </summary>
public static class VariableExpansion
{
    public static string Expand(string input, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(lookup);
        if (!input.Contains('$', StringComparison.Ordinal))
        {
            return input;
        }

        var output = new StringBuilder(input.Length);
        var i = 0;
        while (i < input.Length)
        {
            var c = input[i];
            if (c != '$' || i + 1 >= input.Length)
            {
                output.Append(c);
                i++;
                continue;
            }

            var following = input[i + 1];
            if (following == '$')
            {
                output.Append('$');
                i += 2;
            }
            else if (following == '(')
            {
                var close = input.IndexOf(')', i + 2);
                if (close < 0)
                {
                    output.Append(input, i, input.Length - i);
                    break;
                }

                var name = input.Substring(i + 2, close - i - 2);
                output.Append(lookup(name) ?? input.Substring(i, close - i + 1));
                i = close + 1;
            }
            else
            {
                output.Append(c).Append(following);
                i += 2;
            }
        }

        return output.ToString();
    }
}
