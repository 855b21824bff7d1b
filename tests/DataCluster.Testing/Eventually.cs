using Xunit;
using Xunit.Sdk;

namespace DataCluster.Testing;

/// <summary>
/// Polls until a state of the world holds or a deadline passes. Deadlines only catch hangs; a
/// test that needs a duration measures it itself.
/// </summary>
/// <remarks>
/// A probe that throws is polled again (a request refused while a server restarts is not an
/// answer), and the last exception is quoted if the deadline passes; an assertion failing inside
/// a probe and cancellation of the test end the wait at once.
/// </remarks>
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
        ArgumentNullException.ThrowIfNull(probe);
        var (value, last) = await PollAsync(probe, timeout, interval);
        if (value is not null)
        {
            return value;
        }

        var error = last is null ? "" : $" Last error: {last.GetType().Name}: {last.Message}";
        var extra = diagnostics?.Invoke() is { Length: > 0 } text ? "\n" + text : "";
        throw FailException.ForFailure($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {what}.{error}{extra}");
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds or <paramref name="timeout"/> passes, and
    /// says which, without failing the test: for a test's set-up that repairs what it finds.
    /// </summary>
    public static async Task<bool> HoldsWithinAsync(Func<bool> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var (value, _) = await PollAsync(() => Task.FromResult(condition() ? Done : null), timeout, interval);
        return value is not null;
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task UntilAsync(
        Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null, TimeSpan? interval = null) =>
        UntilAsync(async () => await condition() ? Done : null, timeout, what, diagnostics, interval);

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task UntilAsync(
        Func<bool> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition() ? Done : null), timeout, what, diagnostics, interval);

    /// <summary>Reads until <paramref name="accept"/> holds for what <paramref name="read"/> returned (never null), and returns that.</summary>
    public static async Task<T> MatchAsync<T>(
        Func<Task<T>> read, Func<T, bool> accept, TimeSpan timeout, string what, Func<string>? diagnostics = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(accept);
        var box = await UntilAsync(
            async () => await read() is { } value && accept(value) ? new Box<T>(value) : null,
            timeout,
            what,
            diagnostics,
            interval);
        return box.Value;
    }

    /// <summary>Polls until <paramref name="probe"/> returns a value or the deadline passes; then the value is null and the last error (if any) says why.</summary>
    private static async Task<(T? Value, Exception? Last)> PollAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, TimeSpan? interval)
        where T : class
    {
        var ct = TestContext.Current.CancellationToken;
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Exception? last = null;
            try
            {
                if (await probe() is { } value)
                {
                    return (value, null);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException and not IAssertionException)
            {
                last = e;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return (null, last);
            }

            await Task.Delay(interval ?? DefaultInterval, ct);
        }
    }

    private sealed record Box<T>(T Value);
}
