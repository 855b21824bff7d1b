namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// Rewrites listen addresses in a process' arguments to the pod's address (see
/// <see cref="LocalExecutable.ListenFlags"/>): <c>--flag=:8080</c>, <c>--flag=0.0.0.0:8080</c>,
/// <c>--flag=[::]:8080</c>, <c>--flag=*:8080</c> and the same as two arguments become
/// <c>--flag=POD:8080</c>. A value naming a host (127.0.0.1:8080), or one that is not an
/// address at all (0, which turns a listener off), stays as given. Pure.
/// </summary>
public static class ListenArguments
{
    private static readonly string[] EveryAddress = ["", "0.0.0.0", "[::]", "*"];

    public static IReadOnlyList<string> Rewrite(IReadOnlyList<string> arguments, IReadOnlyCollection<string> flags, string podAddress)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(podAddress);
        if (flags.Count == 0)
        {
            return arguments;
        }

        var result = new List<string>(arguments.Count);
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && flags.Contains(argument[..equals]))
            {
                result.Add(argument[..(equals + 1)] + Address(argument[(equals + 1)..], podAddress));
            }
            else if (flags.Contains(argument) && i + 1 < arguments.Count)
            {
                result.Add(argument);
                result.Add(Address(arguments[++i], podAddress));
            }
            else
            {
                result.Add(argument);
            }
        }

        return result;
    }

    /// <summary><paramref name="value"/> with an every-address host replaced by <paramref name="podAddress"/>.</summary>
    private static string Address(string value, string podAddress)
    {
        var colon = value.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(value.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            return value;
        }

        return EveryAddress.Contains(value[..colon], StringComparer.Ordinal) ? $"{podAddress}:{value[(colon + 1)..]}" : value;
    }
}
