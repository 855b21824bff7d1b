using Xunit;

namespace DataCluster.Testing;

/// <summary>
/// Polls until a state of the world holds or a deadline passes. Deadlines only catch hangs; a
/// test that needs a duration measures it itself.
/// </summary>
public static class Eventually
{
    /// <summary>
    /// Often enough to see a state a few tens of milliseconds after it holds (and to time a
    /// failover to a tenth of a second), rarely enough that polling does not compete with the API
    /// server and the agents for two cores.
    /// </summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    private static readonly object Done = new();

    /// <summary>Waits until <paramref name="probe"/> returns a value, and returns it.</summary>
    /// <param name="diagnostics">Appended to the failure message, to say what the world looked like instead.</param>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T?>> probe, TimeSpan timeout, string what, Func<string>? diagnostics = null, TimeSpan? interval = null)
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
                var extra = diagnostics is null ? "" : "\n" + diagnostics();
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {what}.{extra}");
            }

            await Task.Delay(interval ?? DefaultInterval, ct);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task UntilAsync(
        Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null, TimeSpan? interval = null) =>
        UntilAsync(async () => await condition() ? Done : null, timeout, what, diagnostics, interval);

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task UntilAsync(
        Func<bool> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition() ? Done : null), timeout, what, diagnostics, interval);

}
