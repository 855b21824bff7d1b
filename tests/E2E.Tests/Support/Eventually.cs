using Xunit;

namespace DataCluster.E2E.Tests.Support;

/// <summary>Polls until a state of the world holds or a deadline passes; deadlines only catch hangs.</summary>
internal static class Eventually
{
    /// <summary>
    /// Often enough to time a failover to a tenth of a second, rarely enough that polling a few
    /// agents does not compete with them for two cores.
    /// </summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    public static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, Func<string>? diagnostics = null)
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
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting until {what}.{(diagnostics is null ? "" : "\n" + diagnostics())}");
            }

            await Task.Delay(Interval, ct);
        }
    }

    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null) =>
        UntilAsync(async () => await condition() ? "done" : null, timeout, what, diagnostics);
}
