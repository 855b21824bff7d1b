using Microsoft.Extensions.Logging;
using Xunit;

namespace DataCluster.Agent.Tests.Support;

/// <summary>Sends log lines to the current test's output (so a failure shows what led to it) and keeps them for assertions.</summary>
internal sealed class TestLog : ILoggerProvider, ILogger
{
    private readonly ITestOutputHelper? _output = TestContext.Current.TestOutputHelper;
    private readonly string _prefix;
    private readonly List<(LogLevel Level, int EventId, string Message)> _lines = [];

    public TestLog(string prefix = "") => _prefix = prefix;

    public IReadOnlyList<(LogLevel Level, int EventId, string Message)> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        lock (_lines)
        {
            _lines.Add((logLevel, eventId.Id, message));
        }

        try
        {
            _output?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {_prefix}{logLevel,-11}[{eventId.Id}] {message}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; its output is closed.
        }
    }

    public void Dispose()
    {
    }
}
