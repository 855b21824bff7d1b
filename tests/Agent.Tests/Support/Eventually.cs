using Xunit;

namespace DataCluster.Agent.Tests.Support;

/// <summary>Polls a condition until it holds or a deadline passes; the deadline only catches hangs.</summary>
internal static class Eventually
{
    // Short enough to notice a change promptly, long enough not to compete for the two cores.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {what}.");
            }

            await Task.Delay(Interval, TestContext.Current.CancellationToken);
        }
    }
}
