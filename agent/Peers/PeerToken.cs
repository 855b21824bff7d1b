using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using DataCluster.Agent.Configuration;
using DataCluster.Contracts;

namespace DataCluster.Agent.Peers;

/// <summary>
/// The bearer token members present to each other on the peer port, read once at start from
/// <see cref="AgentEnvironment.PeerTokenFile"/> (the operator mounts the Secret NAME-peer-token
/// there). Every member of a cluster reads the same Secret, so one token serves both ways.
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe. Its <see cref="ToString"/> never shows the token.</para>
/// <para>A changed Secret takes effect when the agent restarts: the operator never rotates the
/// token by itself (a rotation would split the cluster until every member read the new file).</para>
/// </remarks>
public sealed class PeerToken
{
    /// <summary>The authentication scheme of the Authorization header.</summary>
    public const string Scheme = "Bearer";

    private readonly byte[] _bytes;

    private PeerToken(string value)
    {
        Value = value;
        _bytes = Encoding.UTF8.GetBytes(value);
        HeaderValue = $"{Scheme} {value}";
    }

    /// <summary>The token itself.</summary>
    public string Value { get; }

    /// <summary>The Authorization header value a caller sends: "Bearer TOKEN".</summary>
    public string HeaderValue { get; }

    /// <summary>A token from its text; surrounding whitespace (a trailing newline) is not part of it.</summary>
    /// <exception cref="ArgumentException">The text is empty or cannot travel in an HTTP header.</exception>
    public static PeerToken FromValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var token = value.Trim();
        if (Problem(token) is { } problem)
        {
            throw new ArgumentException(problem, nameof(value));
        }

        return new PeerToken(token);
    }

    /// <summary>Reads the token file.</summary>
    /// <exception cref="AgentConfigurationException">
    /// The file is missing, unreadable, empty or holds something that is not a token. The agent
    /// refuses to start then: without a token it could not tell peers from anyone else.
    /// </exception>
    public static PeerToken Load(string path)
    {
        var variable = AgentEnvironment.PeerTokenFile;
        var accepted = $"accepted: a readable file holding the peer token (the operator mounts the Secret NAME-peer-token at {AgentPaths.PeerTokenDirectory})";
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new AgentConfigurationException($"{variable}: no file named; {accepted}");
        }

        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            var what = e is FileNotFoundException or DirectoryNotFoundException ? "does not exist" : $"cannot be read ({e.GetType().Name}: {e.Message})";
            throw new AgentConfigurationException($"{variable}: '{path}' {what}; {accepted}");
        }

        var token = text.Trim();
        if (Problem(token) is { } problem)
        {
            throw new AgentConfigurationException($"{variable}: '{path}' {problem}; {accepted}");
        }

        return new PeerToken(token);
    }

    /// <summary>
    /// True when <paramref name="authorization"/> is "Bearer " and this token. Takes the same
    /// time wherever the two differ, and whatever the presented token's length, so timing tells
    /// a caller nothing about the token.
    /// </summary>
    public bool Matches(string? authorization)
    {
        if (authorization is null
            || authorization.Length <= Scheme.Length
            || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || authorization[Scheme.Length] != ' ')
        {
            return false;
        }

        var presented = authorization.AsSpan(Scheme.Length + 1).Trim();
        var length = Encoding.UTF8.GetByteCount(presented);
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(length, _bytes.Length));
        try
        {
            // Compare exactly as many bytes as the token has, padding a shorter presentation with
            // zeros, so the comparison never ends early; the length check joins without a branch.
            var buffer = rented.AsSpan(0, Math.Max(length, _bytes.Length));
            buffer.Clear();
            Encoding.UTF8.GetBytes(presented, buffer);
            var sameBytes = CryptographicOperations.FixedTimeEquals(buffer[.._bytes.Length], _bytes);
            return sameBytes & (length == _bytes.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
    }

    /// <summary>Never the token.</summary>
    public override string ToString() => $"peer token ({_bytes.Length} bytes)";

    private static string? Problem(string token)
    {
        if (token.Length == 0)
        {
            return "is empty";
        }

        // An HTTP header value carries visible ASCII; anything else could not be presented.
        foreach (var c in token)
        {
            if (c is < '!' or > '~')
            {
                return "holds characters other than visible ASCII (a token is one word, e.g. base64url)";
            }
        }

        return null;
    }
}
