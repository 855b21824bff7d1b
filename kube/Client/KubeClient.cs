using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DataCluster.Kube.Config;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataCluster.Kube.Client;

/// <summary>
/// <see cref="IKubeClient"/> over one <see cref="HttpClient"/>. Thread-safe; create one per
/// process (per configuration) and share it. Dispose it to close its connections; watches
/// still running then fail.
/// </summary>
public sealed partial class KubeClient : IKubeClient, IDisposable
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private static readonly MediaTypeHeaderValue MergePatchMediaType = new("application/merge-patch+json");

    // Server-side apply takes YAML; JSON is YAML, so objects are sent as JSON under this type.
    private static readonly MediaTypeHeaderValue ApplyPatchMediaType = new("application/apply-patch+yaml");

    private readonly HttpClient _http;
    private readonly string _baseUri;
    private readonly KubeConfig _config;
    private readonly KubeClientOptions _options;
    private readonly ICredentialSource? _credentials;
    private readonly string? _basicAuth;
    private readonly string? _host;
    private readonly ILogger _logger;

    /// <summary>A client for <paramref name="config"/> with its own connection pool.</summary>
    public KubeClient(KubeConfig config, KubeClientOptions? options = null, ILogger<KubeClient>? logger = null)
        : this(config, (HttpMessageHandler?)null, options, (ILogger?)logger)
    {
    }

    /// <summary>A client sending through <paramref name="handler"/> (tests, custom transports); the client disposes it.</summary>
    public KubeClient(KubeConfig config, HttpMessageHandler handler, KubeClientOptions? options = null, ILogger<KubeClient>? logger = null)
        : this(config, handler ?? throw new ArgumentNullException(nameof(handler)), options, (ILogger?)logger)
    {
    }

    private KubeClient(KubeConfig config, HttpMessageHandler? handler, KubeClientOptions? options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _options = options ?? new KubeClientOptions();
        _logger = logger ?? NullLogger.Instance;
        _credentials = config.CreateCredentialSource(_options.TimeProvider, _logger);
        handler ??= KubeHttpHandler.Create(config, _options, _credentials as ExecCredentialSource);
        if (config.Username is not null && _credentials is null)
        {
            _basicAuth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{config.Username}:{config.Password}"));
        }

        _baseUri = config.Server.AbsoluteUri.TrimEnd('/');
        _host = TlsHost(config);
        _http = new HttpClient(handler, disposeHandler: true)
        {
            // Each call sets its own limit; watches must be able to run for many minutes.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(_options.UserAgent);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_options.UseHttp2)
        {
            _http.DefaultRequestVersion = HttpVersion.Version20;
            _http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        }
    }

    /// <inheritdoc />
    public string DefaultNamespace => _config.Namespace;

    /// <summary>The configuration this client was built from.</summary>
    public KubeConfig Config => _config;

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Obtains the credential now instead of at the first request: runs the exec plugin when the
    /// configuration has one, so that a broken plugin or login is reported when a program starts.
    /// Returns at once for other configurations. The credential is kept for the requests.
    /// </summary>
    /// <exception cref="KubeConfigException">The plugin failed; the message (one line) names the kubeconfig user and what to fix.</exception>
    public async Task EnsureCredentialsAsync(CancellationToken cancellationToken = default)
    {
        if (_credentials is not null)
        {
            await _credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<TResult> GetPathAsync<TResult>(string path, JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resultType);
        return await SendForJsonAsync(HttpMethod.Get, path, null, element => element.Deserialize(resultType)
            ?? throw new JsonException($"GET {path} returned null."), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends one request bounded by <see cref="KubeClientOptions.RequestTimeout"/> and hands the
    /// parsed JSON body to <paramref name="read"/>.
    /// </summary>
    private async Task<TResult> SendForJsonAsync<TResult>(HttpMethod method, string pathAndQuery, ByteArrayContent? content, Func<JsonElement, TResult> read, CancellationToken cancellationToken)
    {
        using var timeout = StartTimeout(cancellationToken);
        try
        {
            using var response = await SendAsync(method, pathAndQuery, content, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var document = await JsonDocument.ParseAsync(stream, default, timeout.Token).ConfigureAwait(false);
                return read(document.RootElement);
            }
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{method} {pathAndQuery} got no answer within {_options.RequestTimeout.TotalSeconds:0.#} s.", e);
        }
    }

    /// <summary>Sends one request and ignores the body of a success.</summary>
    private async Task SendAndForgetAsync(HttpMethod method, string pathAndQuery, ByteArrayContent? content, CancellationToken cancellationToken)
    {
        using var timeout = StartTimeout(cancellationToken);
        try
        {
            using var response = await SendAsync(method, pathAndQuery, content, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{method} {pathAndQuery} got no answer within {_options.RequestTimeout.TotalSeconds:0.#} s.", e);
        }
    }

    private CancellationTokenSource StartTimeout(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(_options.RequestTimeout);
        return source;
    }

    /// <summary>
    /// The one place requests leave the client: adds credentials and impersonation, and turns a
    /// non-success status into a typed <see cref="KubeApiException"/> with the server's message.
    /// When the server rejects the credential (401) and a fresh one differs (the token file was
    /// rotated, the exec plugin issued another), the request is sent once more with it:
    /// authentication comes before anything else on the server, so nothing was done the first
    /// time. The caller disposes the response.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, ByteArrayContent? content, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var credential = _credentials is null ? null : await _credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        using var request = NewRequest(method, pathAndQuery, content, credential?.Token);
        var started = Stopwatch.GetTimestamp();
        var response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized && credential is not null)
        {
            _logger.TokenRejected();
            _credentials!.Invalidate(credential);
            var fresh = await _credentials.GetAsync(cancellationToken).ConfigureAwait(false);
            if (fresh != credential)
            {
                response.Dispose();
                using var retry = NewRequest(method, pathAndQuery, content, fresh.Token);
                response = await _http.SendAsync(retry, completion, cancellationToken).ConfigureAwait(false);
            }
        }

        if (response.IsSuccessStatusCode)
        {
            _logger.RequestCompleted(method.Method, pathAndQuery, (int)response.StatusCode, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var error = KubeErrors.FromResponse(response.StatusCode, body, $"{method} {pathAndQuery}");
            _logger.RequestFailed(method.Method, pathAndQuery, response.StatusCode, error.Message);
            throw error;
        }
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string pathAndQuery, ByteArrayContent? content, string? token)
    {
        var request = new HttpRequestMessage(method, new Uri(_baseUri + pathAndQuery)) { Content = content };
        if (_host is not null)
        {
            request.Headers.Host = _host;
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (_basicAuth is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _basicAuth);
        }

        if (_config.ImpersonateUser is not null)
        {
            request.Headers.Add("Impersonate-User", _config.ImpersonateUser);
            foreach (var group in _config.ImpersonateGroups)
            {
                request.Headers.Add("Impersonate-Group", group);
            }
        }

        return request;
    }

    /// <summary>
    /// The Host header that makes the TLS handshake ask for <see cref="KubeConfig.TlsServerName"/>,
    /// or null to keep the server's host. SocketsHttpHandler takes the SNI name from the Host
    /// header (else the URL) and overwrites <c>SslOptions.TargetHost</c>, so the header is the
    /// one way to send it. The API server does not route on Host, and a proxy in front that
    /// compares SNI with Host (421 Misdirected Request) sees the two agree.
    /// </summary>
    private static string? TlsHost(KubeConfig config) =>
        config.TlsServerName is { Length: > 0 } name && config.Server.Scheme == Uri.UriSchemeHttps
            ? config.Server.IsDefaultPort ? name : $"{name}:{config.Server.Port}"
            : null;

    private static ByteArrayContent JsonContent(byte[] body, MediaTypeHeaderValue mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = mediaType;
        return content;
    }
}
