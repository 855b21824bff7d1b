using Microsoft.Extensions.Logging;

namespace DataCluster.Kube.Tests.Support;

/// <summary>Sends the library's log lines to the current test's output, so a failure shows what led to it.</summary>
internal sealed class TestOutputLogger(string category) : ILogger
{
    private readonly ITestOutputHelper? _output = TestContext.Current.TestOutputHelper;

    public static ILogger For(string category) => new TestOutputLogger(category);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel,-11} {category}[{eventId.Id}] {formatter(state, exception)}";
            _output?.WriteLine(exception is null ? line : $"{line} ({exception.GetType().Name}: {exception.Message})");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; its output is closed.
        }
    }
}
