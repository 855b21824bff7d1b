namespace DataCluster.Kube.Tests.Support;

/// <summary>Polls a condition until it holds or a deadline passes; the deadline only catches hangs.</summary>
internal static class Eventually
{
    // Fast enough that a test waits at most a few tens of ms past the moment the condition
    // holds, slow enough that polling does not compete with the API server for the CPU.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var ct = TestContext.Current.CancellationToken;
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

            await Task.Delay(Interval, ct);
        }
    }
}
