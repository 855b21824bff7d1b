using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DataCluster.Contracts;

namespace DataCluster.E2E.Tests.Support;

/// <summary>One member's own copy of a partition's consumed offset, as it answered a read.</summary>
/// <param name="At">When the answer arrived (a <see cref="Stopwatch"/> timestamp): the copy was at least this far then.</param>
internal sealed record ConsumedSample(long At, string Member, int Partition, long Consumed);

/// <summary>
/// Asks every running member, over and over, for its own copy of each partition's consumed
/// offset (<c>GET /v1/partitions/{p}/events?after=consumed&amp;limit=1</c> with
/// <c>DataCluster-Redirect: true</c>, so a member without a copy answers 421 instead of forwarding).
/// A replica's copy never goes back while it runs, so a sample is a floor under what that member
/// would deliver from if it led the partition later.
/// </summary>
internal sealed class ConsumedOffsetSampler : IAsyncDisposable
{
    /// <summary>Between sweeps: often enough to see the offsets between moves, light enough for two shared cores.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);

    private readonly TestCluster _cluster;
    private readonly int _partitions;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ConsumedOffsetSampler(TestCluster cluster, int partitions, Action? eachSweep)
    {
        _cluster = cluster;
        _partitions = partitions;
        _loop = Task.Run(() => LoopAsync(eachSweep));
    }

    public ConcurrentQueue<ConsumedSample> Samples { get; } = new();

    /// <summary>Starts sampling; <paramref name="eachSweep"/> runs before each sweep (a place for the test to react to pods going).</summary>
    public static ConsumedOffsetSampler Start(TestCluster cluster, int partitions, Action? eachSweep = null) => new(cluster, partitions, eachSweep);

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task LoopAsync(Action? eachSweep)
    {
        while (!_stop.IsCancellationRequested)
        {
            eachSweep?.Invoke();
            // The members in parallel, each member's partitions one after another.
            await Task.WhenAll(_cluster.Cluster.Node.Processes(_cluster.Namespace).Where(p => p.Running).Select(async process =>
            {
                for (var partition = 0; partition < _partitions && !_stop.IsCancellationRequested; partition++)
                {
                    if (await SampleAsync(process.Pod, process.Address, partition) is { } sample)
                    {
                        Samples.Enqueue(sample);
                    }
                }
            }));

            try
            {
                await Task.Delay(Pause, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<ConsumedSample?> SampleAsync(string pod, string address, int partition)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get,
                string.Create(CultureInfo.InvariantCulture, $"http://{address}:{AgentPorts.Client}/v1/partitions/{partition}/events?after=consumed&limit=1"));
            request.Headers.Add(AgentHeaders.Redirect, "true");
            using var response = await _http.SendAsync(request, _stop.Token);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            var at = Stopwatch.GetTimestamp();
            using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(_stop.Token), cancellationToken: _stop.Token);
            var member = json.RootElement.GetProperty("member").GetString();
            // Only a member's own copy counts (the member field names who read its log).
            return member is not null && string.Equals(member, pod, StringComparison.Ordinal)
                ? new ConsumedSample(at, member, partition, json.RootElement.GetProperty("consumedOffset").GetInt64())
                : null;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}
