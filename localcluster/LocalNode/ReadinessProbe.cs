using System.Globalization;
using System.Net.Sockets;
using DataCluster.Kube.Models;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// Runs a container's readinessProbe against the pod's address, as the kubelet does: not ready
/// until the first success, ready after a success, not ready after failureThreshold failures in
/// a row. httpGet (2xx/3xx passes) and tcpSocket are supported; a container without a probe is
/// ready as soon as it runs; exec and grpc probes are treated as passing (the local node cannot
/// run commands inside a process).
/// </summary>
public sealed class ReadinessProbe
{
    private readonly Container _container;
    private readonly string _address;
    private readonly HttpClient _http;
    private readonly TimeSpan _period;

    /// <param name="http">Shared client; it must not follow redirects and should not reuse connections.</param>
    public ReadinessProbe(Container container, string address, HttpClient http, TimeSpan period)
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
        _address = address ?? throw new ArgumentNullException(nameof(address));
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _period = period;
    }

    /// <summary>Probes until cancelled, calling <paramref name="setReady"/> on every change (first with the initial result).</summary>
    public async Task RunAsync(Action<bool> setReady, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setReady);
        var probe = _container.ReadinessProbe;
        if (probe is null || (probe.HttpGet is null && probe.TcpSocket is null))
        {
            setReady(true);
            return;
        }

        var threshold = Math.Max(1, probe.FailureThreshold ?? 3);
        // The probe's own timeout, at least a second: two busy cores answer slowly at times.
        var timeout = TimeSpan.FromSeconds(Math.Max(1, probe.TimeoutSeconds ?? 1));
        bool? ready = null;
        var failures = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var passed = await TryOnceAsync(probe, timeout, cancellationToken).ConfigureAwait(false);
                failures = passed ? 0 : failures + 1;
                // Ready on a success; before the first success not ready; once ready, it takes
                // failureThreshold failures in a row to become not ready.
                var now = passed || (ready == true && failures < threshold);
                if (now != ready)
                {
                    ready = now;
                    setReady(now);
                }

                await Task.Delay(_period, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One probe; true when it passed.</summary>
    public async Task<bool> TryOnceAsync(Probe probe, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            if (probe.HttpGet is { } get)
            {
                var port = ResolvePort(get.Port);
                var scheme = string.Equals(get.Scheme, "HTTPS", StringComparison.OrdinalIgnoreCase) ? "https" : "http";
                var path = string.IsNullOrEmpty(get.Path) ? "/" : get.Path;
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{scheme}://{_address}:{port.ToString(CultureInfo.InvariantCulture)}{path}"));
                foreach (var header in get.HttpHeaders ?? [])
                {
                    request.Headers.TryAddWithoutValidation(header.Name, header.Value);
                }

                using var response = await _http.SendAsync(request, cts.Token).ConfigureAwait(false);
                return (int)response.StatusCode is >= 200 and < 400;
            }

            if (probe.TcpSocket is { } tcp)
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync(_address, ResolvePort(tcp.Port), cts.Token).ConfigureAwait(false);
                return true;
            }

            return true;
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    private int ResolvePort(IntOrString port)
    {
        if (port.IsInt)
        {
            return port.IntValue;
        }

        var named = _container.Ports?.FirstOrDefault(p => p.Name == port.StringValue);
        return named?.Port ?? (int.TryParse(port.StringValue, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0);
    }
}
