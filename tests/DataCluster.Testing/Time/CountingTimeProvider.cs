using Microsoft.Extensions.Time.Testing;

namespace DataCluster.Testing.Time;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also counts the timers created from it. FakeTimeProvider
/// does not say whether anyone waits on it, and a test that moves the clock before the code under
/// test has parked in its next delay races that code; waiting until the count rises (each
/// Task.Delay on this clock creates one timer) removes the race without a sleep.
/// </summary>
/// <remarks>Thread-safe, as FakeTimeProvider is.</remarks>
public sealed class CountingTimeProvider : FakeTimeProvider
{
    private int _timers;

    /// <summary>Timers created so far.</summary>
    public int TimersCreated => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timers);
        return timer;
    }
}
