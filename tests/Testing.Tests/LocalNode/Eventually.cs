using Xunit;

namespace DataCluster.Testing.Tests.LocalNode;

/// <summary>Polls a condition until it holds or a deadline passes; the deadline only catches hangs.</summary>
internal static class Eventually
{
    // Often enough to see a state soon after it holds, rarely enough not to load two busy cores.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    public static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
        where T : class
    {
        var ct = TestContext.Current.CancellationToken;
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting until {what}.");
            }

            await Task.Delay(Interval, ct);
        }
    }

    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        UntilAsync(async () => await condition() ? "done" : null, timeout, what);
}
