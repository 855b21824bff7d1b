using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>Polls a condition until it holds or a deadline passes; deadlines only catch hangs, they are not timings under test.</summary>
internal static class Wait
{
    // Short against the seconds a reconcile round trip takes, long enough not to compete with
    // the API server for the two cores.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? context = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what, context);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? context = null)
    {
        var ct = TestContext.Current.CancellationToken;

        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }

                last = null;
            }
            catch (Exception e) when (e is not OperationCanceledException && e is not Xunit.Sdk.IAssertionException)
            {
                last = e; // e.g. a request refused while a server restarts: keep polling
            }

            if (DateTime.UtcNow >= deadline)
            {
                var detail = last is null ? "" : $" Last error: {last.GetType().Name}: {last.Message}.";
                var extra = context?.Invoke() is { Length: > 0 } text ? $"\n--- context ---\n{text}" : "";
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {what}.{detail}{extra}");
            }

            await Task.Delay(Interval, ct);
        }
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="accept"/> holds for its value, and returns that value.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> read, Func<T, bool> accept, TimeSpan timeout, string what, Func<string>? context = null)
    {
        T value = default!;
        await UntilAsync(async () =>
        {
            value = await read();
            return value is not null && accept(value);
        }, timeout, what, context);
        return value;
    }
}
