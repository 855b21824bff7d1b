using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>
/// Where the in-process operator logs: a file in the control plane's run directory (all of it)
/// and the last lines in memory, which failed waits append to their message.
/// </summary>
internal sealed class TestLog : ILoggerProvider
{
    private const int Kept = 150;
    private readonly ConcurrentQueue<string> _recent = new();
    private readonly StreamWriter _file;
    private readonly Lock _gate = new();

    public TestLog(string path)
    {
        _file = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    /// <summary>The last lines logged, oldest first.</summary>
    public string Tail() => string.Join('\n', _recent);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
        lock (_gate)
        {
            _file.Dispose();
        }
    }

    private void Write(string line)
    {
        _recent.Enqueue(line);
        while (_recent.Count > Kept && _recent.TryDequeue(out _))
        {
        }

        lock (_gate)
        {
            try
            {
                _file.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // A late line from a host being stopped.
            }
        }
    }

    private sealed class Logger(TestLog log, string category) : ILogger
    {
        private readonly string _category = category.StartsWith("DataCluster.", StringComparison.Ordinal) ? category["DataCluster.".Length..] : category;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel.ToString()[..4]} {_category}[{eventId.Id}] {formatter(state, exception)}");
            log.Write(exception is null ? line : $"{line} ({exception.GetType().Name}: {exception.Message})");
        }
    }
}
