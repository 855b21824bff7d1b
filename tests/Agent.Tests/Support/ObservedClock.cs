using DataCluster.Testing.Time;

namespace DataCluster.Agent.Tests.Support;

/// <summary>
/// A <see cref="ManualTimeProvider"/> that also counts the timers created from it, so a test can
/// wait until a loop is parked in its next delay before moving the clock (no races, no sleeps).
/// </summary>
internal sealed class ObservedClock : TimeProvider
{
    private int _timers;

    public ManualTimeProvider Manual { get; } = new();

    /// <summary>Timers created so far (each Task.Delay on this clock creates one).</summary>
    public int TimersCreated => Volatile.Read(ref _timers);

    public override DateTimeOffset GetUtcNow() => Manual.GetUtcNow();

    public override long GetTimestamp() => Manual.GetTimestamp();

    public override long TimestampFrequency => Manual.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Manual.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timers);
        return timer;
    }

    public void Advance(TimeSpan by) => Manual.Advance(by);
}
