using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace DataCluster.Kube.Tests.Support;

/// <summary>
/// A TLS endpoint on loopback that records, per connection, the server name the client sent in
/// its hello (SNI) and the Host header of each request, and answers every request with
/// <see cref="Body"/>. Its certificate is issued by <see cref="Authority"/> for <see cref="CertificateName"/> only.
/// </summary>
internal sealed class TlsRecordingServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public TlsRecordingServer(string certificateName, string body)
    {
        CertificateName = certificateName;
        Body = body;
        (Authority, _certificate) = Issue(certificateName);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string CertificateName { get; }

    public string Body { get; }

    public X509Certificate2 Authority { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The SNI of each TLS handshake, in order; "" when the client sent none.</summary>
    public ConcurrentQueue<string> ServerNames { get; } = new();

    /// <summary>The Host header of each request, in order.</summary>
    public ConcurrentQueue<string> HostHeaders { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
        _certificate.Dispose();
        Authority.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateSelectionCallback = (_, name) =>
                {
                    ServerNames.Enqueue(name ?? "");
                    return _certificate;
                },
            }, _stop.Token);

            using var reader = new StreamReader(tls, Encoding.ASCII, leaveOpen: true);
            while (true)
            {
                var requestLine = await reader.ReadLineAsync(_stop.Token);
                if (string.IsNullOrEmpty(requestLine))
                {
                    return;
                }

                string? line;
                while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync(_stop.Token)))
                {
                    if (line.StartsWith("Host:", StringComparison.OrdinalIgnoreCase))
                    {
                        HostHeaders.Enqueue(line["Host:".Length..].Trim());
                    }
                }

                var body = Encoding.UTF8.GetBytes(Body);
                var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
                await tls.WriteAsync(head, _stop.Token);
                await tls.WriteAsync(body, _stop.Token);
                await tls.FlushAsync(_stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            // The client closed the connection or rejected our certificate: nothing to serve.
        }
    }

    private static (X509Certificate2 Authority, X509Certificate2 Leaf) Issue(string name)
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=sni-test-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var authority = caRequest.CreateSelfSigned(now, now.AddDays(1));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = request.Create(authority, now, now.AddDays(1), [1, 2, 3, 4]);
        var leaf = issued.CopyWithPrivateKey(key);

        // SslStream on Linux wants a certificate whose key it can export: round-trip through PKCS#12.
        var exported = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        leaf.Dispose();
        return (authority, exported);
    }
}
