using DataCluster.LocalCluster;
using DataCluster.Testing;
using DataCluster.Testing.Checking;

namespace DataCluster.E2E.Tests.Support;

/// <summary>
/// Writers that each own a few keys and write to each key a sequence number after another
/// (the next write of a key only after the previous one was answered), to a random running
/// member, recording every attempt in a <see cref="WriteChecker"/>. They run until disposed.
/// </summary>
internal sealed class Writers : IAsyncDisposable
{
    /// <summary>After a refusal, as a client honouring Retry-After would, but shorter: the test wants to see recovery soon.</summary>
    private static readonly TimeSpan PauseAfterRefusal = TimeSpan.FromMilliseconds(100);

    private readonly TestCluster _cluster;
    private readonly AgentEventsClient _client = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;
    private readonly string? _commitLevel;
    private readonly System.Collections.Concurrent.ConcurrentQueue<(TimeSpan At, string Key, AgentWrite Write)> _answers = new();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    private Writers(TestCluster cluster, int writers, int keysPerWriter, string? commitLevel, string prefix)
    {
        _cluster = cluster;
        _commitLevel = commitLevel;
        _loops = [.. Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteLoopAsync(w, keysPerWriter, prefix)))];
    }

    public WriteChecker Checker { get; } = new();

    /// <summary>Time since the writers started, on the clock <see cref="AcknowledgedSince"/> uses.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Starts <paramref name="writers"/> writers of <paramref name="keysPerWriter"/> keys each.</summary>
    public static Writers Start(TestCluster cluster, int writers, int keysPerWriter, string? commitLevel = null, string prefix = "key") =>
        new(cluster, writers, keysPerWriter, commitLevel, prefix);

    /// <summary>Acknowledged writes answered at or after <paramref name="since"/> (on <see cref="Elapsed"/>'s clock).</summary>
    public int AcknowledgedSince(TimeSpan since) => _answers.Count(a => a.At >= since && a.Write.Acknowledged);

    /// <summary>Waits until at least 20 more writes are acknowledged than before the call.</summary>
    public async Task WaitForAcknowledgementsAsync(string what)
    {
        var since = Elapsed;
        await Eventually.UntilAsync(() => AcknowledgedSince(since) >= 20, TestCluster.Patience, what, () => Refusals() + "\n" + _cluster.Diagnostics());
    }

    /// <summary>Refusals by reason, for the report.</summary>
    public string Refusals() =>
        string.Join(", ", _answers.Where(a => !a.Write.Acknowledged).GroupBy(a => $"{a.Write.Status} {a.Write.Reason}").OrderByDescending(g => g.Count()).Take(6).Select(g => $"{g.Count()}x {g.Key}"));

    /// <summary>Stops the writers and waits for their last answers.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _client.Dispose();
        _stop.Dispose();
    }

    private async Task WriteLoopAsync(int writer, int keysPerWriter, string prefix)
    {
        var random = new Random(writer);
        var keys = Enumerable.Range(0, keysPerWriter).Select(k => $"{prefix}-{writer}-{k}").ToArray();
        var next = new long[keys.Length];
        while (!_stop.IsCancellationRequested)
        {
            var addresses = _cluster.RunningAddresses();
            if (addresses.Count == 0)
            {
                await PauseAsync();
                continue;
            }

            var k = random.Next(keys.Length);
            var sequence = next[k]++;
            // Not cancelled by the stop: an attempt that was sent gets its answer recorded.
            var write = await _client.WriteAsync(addresses[random.Next(addresses.Count)], keys[k], WriteChecker.Body(keys[k], sequence), _commitLevel, cancellationToken: CancellationToken.None);
            _answers.Enqueue((_clock.Elapsed, keys[k], write));
            Checker.Record(new WriteAttempt(keys[k], sequence, write.Acknowledged, write.Answer?.Partition ?? -1, write.Answer?.Offset ?? -1));
            if (!write.Acknowledged)
            {
                await PauseAsync();
            }
        }
    }

    private async Task PauseAsync()
    {
        try
        {
            await Task.Delay(PauseAfterRefusal, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
