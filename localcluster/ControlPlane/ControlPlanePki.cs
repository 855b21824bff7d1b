using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DataCluster.LocalCluster.ControlPlane;

/// <summary>
/// The certificates and keys one test control plane needs, generated fresh per run and written
/// as PEM files: a CA, the API server's serving certificate, an admin client certificate
/// (O=system:masters) and the service-account signing key pair.
/// </summary>
public sealed class ControlPlanePki
{
    private ControlPlanePki(string directory) => Directory = directory;

    public string Directory { get; }

    public string CaCertFile => Path.Combine(Directory, "ca.crt");

    public string CaKeyFile => Path.Combine(Directory, "ca.key");

    public string ServingCertFile => Path.Combine(Directory, "apiserver.crt");

    public string ServingKeyFile => Path.Combine(Directory, "apiserver.key");

    public string AdminClientCertFile => Path.Combine(Directory, "admin-client.crt");

    public string AdminClientKeyFile => Path.Combine(Directory, "admin-client.key");

    public string ServiceAccountKeyFile => Path.Combine(Directory, "sa.key");

    public string ServiceAccountPublicKeyFile => Path.Combine(Directory, "sa.pub");

    public string CaCertPem => File.ReadAllText(CaCertFile);

    public static ControlPlanePki Create(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var pki = new ControlPlanePki(directory);
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        var until = now.AddDays(7);

        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=datacluster-test-ca", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now, until);
        File.WriteAllText(pki.CaCertFile, ca.ExportCertificatePem());
        File.WriteAllText(pki.CaKeyFile, caKey.ExportPkcs8PrivateKeyPem());

        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        san.AddDnsName("kubernetes");
        san.AddDnsName("kubernetes.default");
        san.AddDnsName("kubernetes.default.svc");
        san.AddDnsName("kubernetes.default.svc.cluster.local");
        san.AddIpAddress(IPAddress.Parse("10.0.0.1"));
        Issue(pki.ServingCertFile, pki.ServingKeyFile, "CN=kube-apiserver", ca, now, until, san.Build(), serverAuth: true);
        Issue(pki.AdminClientCertFile, pki.AdminClientKeyFile, "CN=admin-cert, O=system:masters", ca, now, until, null, serverAuth: false);

        using var saKey = RSA.Create(2048);
        File.WriteAllText(pki.ServiceAccountKeyFile, saKey.ExportRSAPrivateKeyPem());
        File.WriteAllText(pki.ServiceAccountPublicKeyFile, saKey.ExportSubjectPublicKeyInfoPem());
        return pki;
    }

    /// <summary>A validation callback that trusts exactly this CA (not the system store).</summary>
    public X509Certificate2 LoadCa() => X509Certificate2.CreateFromPem(CaCertPem);

    private static void Issue(
        string certFile,
        string keyFile,
        string subject,
        X509Certificate2 ca,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        X509Extension? subjectAlternativeName,
        bool serverAuth)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var usage = new OidCollection { new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2") };
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usage, false));
        if (subjectAlternativeName is not null)
        {
            request.CertificateExtensions.Add(subjectAlternativeName);
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        using var cert = request.Create(ca, notBefore, notAfter, serial);
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }
}
