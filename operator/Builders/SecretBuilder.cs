using System.Security.Cryptography;
using System.Text;
using DataCluster.Contracts;
using DataCluster.Kube.Models;

using DataCluster.Operator.Api;

namespace DataCluster.Operator.Builders;

/// <summary>The peer-token Secret NAME-peer-token: the bearer token agents present to each other.</summary>
public static class SecretBuilder
{
    /// <summary>256 bits, the usual size of a bearer secret: out of reach of guessing and brute force.</summary>
    public const int TokenBytes = 32;

    /// <summary>
    /// The desired Secret. The token of <paramref name="existing"/> is kept byte for byte whenever
    /// it has one, so a reconcile never rotates it by accident (a rotation would split the cluster
    /// until every pod reads the new file); <paramref name="newToken"/> is used only when there is
    /// no token yet.
    /// </summary>
    /// <param name="cluster">The owning DataCluster.</param>
    /// <param name="existing">The Secret as it is on the server, or null.</param>
    /// <param name="newToken">A fresh token from <see cref="NewToken"/>; ignored when <paramref name="existing"/> has one.</param>
    public static Secret PeerToken(DefaultedCluster cluster, Secret? existing, string newToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(newToken);
        var token = ExistingToken(existing) ?? Encoding.ASCII.GetBytes(newToken);
        return new Secret
        {
            Metadata = Owner.Metadata(cluster, ObjectNames.PeerTokenSecret(Owner.ClusterName(cluster)), Components.Agent),
            Type = "Opaque",
            Data = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [AgentPaths.PeerTokenKey] = token },
        };
    }

    /// <summary>A new token: <see cref="TokenBytes"/> random bytes from the OS CSPRNG, base64url without padding.</summary>
    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(TokenBytes));

    /// <summary>base64url (RFC 4648 section 5) without padding, so the token is safe in headers and files alike.</summary>
    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? ExistingToken(Secret? existing)
    {
        if (existing?.Data?.TryGetValue(AgentPaths.PeerTokenKey, out var data) == true && data is { Length: > 0 })
        {
            return [.. data];
        }

        // stringData is write-only on the server, but an object built locally may carry it.
        return existing?.StringData?.TryGetValue(AgentPaths.PeerTokenKey, out var text) == true && !string.IsNullOrEmpty(text)
            ? Encoding.UTF8.GetBytes(text)
            : null;
    }
}
