using System.Diagnostics;
using DataCluster.Agent.DataPlane;
using DataCluster.Agent.Peers;
using Xunit;

namespace DataCluster.Agent.Tests.DataPlane;

/// <summary>
/// The replication loop's wake-up (a futex word on Linux, an eventfd while the loop polls its
/// peer streams): a set before the wait, a set while the loop sleeps, a set racing the loop's
/// reset and wait, the timeout and cancellation, each both ways of waiting. The bounds are
/// generous: they catch a lost wake-up (the wait would run its whole minute), not a slow machine.
/// </summary>
public sealed class LoopWakeTests
{
    private const int Minute = 60_000;
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_set_before_the_wait_ends_it_at_once(bool polls)
    {
        using var wake = new LoopWake();
        wake.Set();
        Assert.True(wake.IsSet);

        var clock = Stopwatch.StartNew();
        Wait(wake, Minute, CancellationToken.None, polls);
        Assert.True(clock.Elapsed < Hang, $"the wait took {clock.Elapsed}");
        Assert.True(wake.IsSet, "a wait does not reset it: the loop does");

        wake.Reset();
        Assert.False(wake.IsSet);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Without_a_set_the_wait_ends_at_its_timeout(bool polls)
    {
        using var wake = new LoopWake();
        var clock = Stopwatch.StartNew();
        Wait(wake, 200, CancellationToken.None, polls);
        Assert.True(clock.ElapsedMilliseconds >= 190, $"the wait ended after {clock.ElapsedMilliseconds} ms, before its 200 ms");
        Assert.False(wake.IsSet);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_set_from_another_thread_wakes_a_sleeping_loop(bool polls)
    {
        using var wake = new LoopWake();
        var waiting = new ManualResetEventSlim();
        var clock = Stopwatch.StartNew();
        var loop = Task.Factory.StartNew(() =>
        {
            waiting.Set();
            Wait(wake, Minute, CancellationToken.None, polls);
            return clock.Elapsed;
        }, TaskCreationOptions.LongRunning);
        waiting.Wait(TestContext.Current.CancellationToken);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        wake.Set();

        var woke = await loop.WaitAsync(Hang, TestContext.Current.CancellationToken);
        Assert.True(woke < Hang, $"woken after {woke}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task No_set_is_lost_between_the_loops_reset_and_its_wait(bool polls)
    {
        // The loop's cycle (reset, look for work, wait) against a thread that queues work and
        // sets, many times over: each piece of work must be seen well before a wait's minute.
        const int Rounds = 20_000;
        using var wake = new LoopWake();
        var queued = 0;
        var loop = Task.Factory.StartNew(() =>
        {
            var seen = 0;
            var longest = TimeSpan.Zero;
            while (seen < Rounds)
            {
                wake.Reset();
                var now = Volatile.Read(ref queued);
                if (now > seen)
                {
                    seen = now;
                    continue;
                }

                var clock = Stopwatch.StartNew();
                Wait(wake, Minute, CancellationToken.None, polls);
                longest = clock.Elapsed > longest ? clock.Elapsed : longest;
            }

            return longest;
        }, TaskCreationOptions.LongRunning);

        var producer = Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < Rounds; i++)
            {
                Interlocked.Increment(ref queued);
                wake.Set();
                if (i % 64 == 0)
                {
                    Thread.Yield();
                }
            }
        }, TaskCreationOptions.LongRunning);

        await producer.WaitAsync(Hang, TestContext.Current.CancellationToken);
        var longestWait = await loop.WaitAsync(Hang, TestContext.Current.CancellationToken);
        Assert.True(longestWait < Hang, $"a wait lasted {longestWait}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cancellation_ends_the_wait_with_an_exception(bool polls)
    {
        using var wake = new LoopWake();
        using var cancel = new CancellationTokenSource();
        var loop = Task.Factory.StartNew(() => Wait(wake, Minute, cancel.Token, polls), TaskCreationOptions.LongRunning);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        await cancel.CancelAsync();

        var ended = await Record.ExceptionAsync(() => loop.WaitAsync(Hang, TestContext.Current.CancellationToken));
        Assert.IsAssignableFrom<OperationCanceledException>(ended);
    }

    /// <summary>The loop's wait: on the futex alone, or in a poll on no streams and the eventfd.</summary>
    private static void Wait(LoopWake wake, int milliseconds, CancellationToken cancellationToken, bool polls)
    {
        if (polls)
        {
            Assert.True(wake.CanPoll);
            wake.Wait(milliseconds, cancellationToken, new PeerStreamPoll());
        }
        else
        {
            wake.Wait(milliseconds, cancellationToken);
        }
    }
}
