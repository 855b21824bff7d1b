using System.Text.Json.Serialization;

namespace DataCluster.Kube.Config;

/// <summary>
/// The ExecCredential document (client.authentication.k8s.io v1 and v1beta1 have the same
/// fields): its spec goes to the plugin in KUBERNETES_EXEC_INFO, its status comes back on
/// standard output.
/// </summary>
internal sealed class ExecCredential
{
    [JsonPropertyName("apiVersion")] public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")] public string? Kind { get; set; }

    [JsonPropertyName("spec")] public ExecCredentialSpec? Spec { get; set; }

    [JsonPropertyName("status")] public ExecCredentialStatus? Status { get; set; }
}

internal sealed class ExecCredentialSpec
{
    [JsonPropertyName("cluster")] public ExecCluster? Cluster { get; set; }

    /// <summary>Whether the plugin may read standard input; always false here.</summary>
    [JsonPropertyName("interactive")] public bool Interactive { get; set; }
}

/// <summary>The cluster as kubeconfig describes it; the CA is always passed as data (PEM bytes, base64 in JSON).</summary>
internal sealed class ExecCluster
{
    [JsonPropertyName("server")] public string? Server { get; set; }

    [JsonPropertyName("tls-server-name")] public string? TlsServerName { get; set; }

    [JsonPropertyName("insecure-skip-tls-verify")] public bool InsecureSkipTlsVerify { get; set; }

    [JsonPropertyName("certificate-authority-data")] public byte[]? CertificateAuthorityData { get; set; }

    [JsonPropertyName("proxy-url")] public string? ProxyUrl { get; set; }
}

internal sealed class ExecCredentialStatus
{
    /// <summary>When the credential stops working; absent = until the server rejects it.</summary>
    [JsonPropertyName("expirationTimestamp")] public DateTimeOffset? ExpirationTimestamp { get; set; }

    [JsonPropertyName("token")] public string? Token { get; set; }

    /// <summary>PEM text (not base64), like <see cref="ClientKeyData"/>.</summary>
    [JsonPropertyName("clientCertificateData")] public string? ClientCertificateData { get; set; }

    [JsonPropertyName("clientKeyData")] public string? ClientKeyData { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ExecCredential))]
internal sealed partial class ExecCredentialJsonContext : JsonSerializerContext;
