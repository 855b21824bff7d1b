using System.Collections.Concurrent;
using System.Diagnostics;
using DataCluster.LocalCluster;
using DataCluster.Testing;
using DataCluster.Testing.Checking;

namespace DataCluster.E2E.Tests.Support;

/// <summary>One write as a retrying client saw it: from its first attempt to its acknowledgement (or giving up).</summary>
/// <param name="Key">The key.</param>
/// <param name="Partition">The partition the acknowledgement named; -1 when never acknowledged.</param>
/// <param name="FirstAttempt">When it was first sent (on the writers' clock).</param>
/// <param name="Answered">When it was acknowledged, or when the writer gave up.</param>
/// <param name="Attempts">How many times it was sent.</param>
/// <param name="Acknowledged">True when acknowledged.</param>
/// <param name="Trail">Every attempt, in order.</param>
internal sealed record RetriedWrite(string Key, int Partition, TimeSpan FirstAttempt, TimeSpan Answered, int Attempts, bool Acknowledged, IReadOnlyList<WriteTry> Trail)
{
    public TimeSpan Waited => Answered - FirstAttempt;

    /// <summary>One line per attempt (wall-clock time, member, answer), to be read beside the agents' logs.</summary>
    public string Describe() =>
        $"{Key} (p{Partition}) waited {Waited.TotalMilliseconds:0} ms over {Attempts} attempts:\n"
        + string.Concat(Trail.Select(t => $"  {t.At:HH:mm:ss.fff} -> {t.Address}: {(t.Status == 200 ? "200" : $"{t.Status} {t.Reason}")} after {t.Took.TotalMilliseconds:0} ms\n"));
}

/// <summary>One attempt of a retried write.</summary>
/// <param name="At">When it was sent (UTC wall clock, as the agents' logs show it).</param>
/// <param name="Address">The member it was sent to.</param>
/// <param name="Status">The HTTP status; 0 when no answer came.</param>
/// <param name="Reason">The refusal's reason, when refused.</param>
/// <param name="Took">How long the answer took.</param>
internal sealed record WriteTry(DateTimeOffset At, string Address, int Status, string? Reason, TimeSpan Took);

/// <summary>
/// Writers as a retrying client behaves: each owns a few keys and writes to them per-key sequence
/// numbers, one write at a time per writer, as an idempotent producer (producer id per writer,
/// sequence per write); a refused or unanswered write is sent again, with the same producer
/// sequence, to a random running member until it is acknowledged or <see cref="GiveUpAfter"/>
/// passes. Each write is recorded once in the <see cref="WriteChecker"/>, with its final outcome.
/// </summary>
internal sealed class RetryingWriters : IAsyncDisposable
{
    /// <summary>Only catches a write that never gets through; the target is a second.</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Pause before a retry. Shorter than the agents' Retry-After (1 s): the figures measure how
    /// long the cluster refuses, not how long a client chooses to wait.
    /// </summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(50);

    private readonly TestCluster _cluster;
    private readonly AgentEventsClient _client = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;
    private readonly string? _commitLevel;
    private readonly ConcurrentQueue<RetriedWrite> _writes = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private RetryingWriters(TestCluster cluster, int writers, int keysPerWriter, string? commitLevel)
    {
        _cluster = cluster;
        _commitLevel = commitLevel;
        _loops = [.. Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteLoopAsync(w, keysPerWriter)))];
    }

    public WriteChecker Checker { get; } = new();

    /// <summary>Every finished write so far.</summary>
    public IReadOnlyList<RetriedWrite> Writes => [.. _writes];

    public static RetryingWriters Start(TestCluster cluster, int writers, int keysPerWriter, string? commitLevel = null) =>
        new(cluster, writers, keysPerWriter, commitLevel);

    /// <summary>Waits until at least 20 more writes are acknowledged than before the call.</summary>
    public async Task WaitForAcknowledgementsAsync(string what)
    {
        var since = _clock.Elapsed;
        await Eventually.UntilAsync(() => _writes.Count(w => w.Acknowledged && w.Answered >= since) >= 20, TestCluster.Patience, what, _cluster.Diagnostics);
    }

    /// <summary>Stops the writers after their current write and waits for them.</summary>
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

    private async Task WriteLoopAsync(int writer, int keysPerWriter)
    {
        var random = new Random(writer);
        var producer = $"writer-{writer}-{Guid.NewGuid():N}";
        var keys = Enumerable.Range(0, keysPerWriter).Select(k => $"key-{writer}-{k}").ToArray();
        var next = new long[keys.Length];
        var producerSequence = 0L;
        while (!_stop.IsCancellationRequested)
        {
            var k = random.Next(keys.Length);
            var sequence = next[k]++;
            var body = WriteChecker.Body(keys[k], sequence);
            var producerAt = producerSequence++;
            var first = _clock.Elapsed;
            var attempts = 0;
            AgentWrite? last = null;
            var trail = new List<WriteTry>();
            // Once sent, a write is retried to the end even while stopping: giving up would count as a failed write.
            while (_clock.Elapsed - first < GiveUpAfter)
            {
                var addresses = _cluster.RunningAddresses();
                if (addresses.Count > 0)
                {
                    attempts++;
                    var address = addresses[random.Next(addresses.Count)];
                    var sent = _clock.Elapsed;
                    var at = DateTimeOffset.UtcNow;
                    last = await _client.WriteAsync(address, keys[k], body, _commitLevel, (producer, producerAt), CancellationToken.None);
                    trail.Add(new WriteTry(at, address, last.Status, last.Reason, _clock.Elapsed - sent));
                    if (last.Acknowledged)
                    {
                        break;
                    }
                }

                await Task.Delay(RetryPause, CancellationToken.None);
            }

            var acknowledged = last?.Acknowledged == true;
            _writes.Enqueue(new RetriedWrite(keys[k], last?.Answer?.Partition ?? -1, first, _clock.Elapsed, attempts, acknowledged, trail));
            Checker.Record(new WriteAttempt(keys[k], sequence, acknowledged, last?.Answer?.Partition ?? -1, last?.Answer?.Offset ?? -1));
        }
    }
}
