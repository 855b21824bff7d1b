using System.Globalization;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DataCluster.Testing.Logging;

/// <summary>One line logged through a <see cref="TestLogger"/>.</summary>
public sealed record TestLogLine(DateTimeOffset Time, LogLevel Level, string Category, int EventId, string Message);

/// <summary>
/// Where the code under test logs in tests: every line goes to the output of the test that
/// created the logger (so a failure shows what led to it), to a file when one is given (for a
/// component that outlives one test, such as an operator started by a fixture), and into memory,
/// where tests assert on event ids and failed waits quote the last lines.
/// </summary>
/// <remarks>
/// Thread-safe. It is its own logger (category <c>prefix</c>) and a provider whose loggers share
/// its lines. Lines below <c>minimum</c> are dropped.
/// </remarks>
public sealed class TestLogger : ILoggerProvider, ILogger
{
    private readonly ITestOutputHelper? _output = TestContext.Current.TestOutputHelper;
    private readonly string _prefix;
    private readonly LogLevel _minimum;
    private readonly StreamWriter? _file;
    private readonly Lock _gate = new();
    private readonly List<TestLogLine> _lines = [];

    /// <param name="prefix">Put before every category, e.g. the member the logger belongs to.</param>
    /// <param name="file">A file to append every line to, or null.</param>
    /// <param name="minimum">The lowest level kept.</param>
    public TestLogger(string prefix = "", string? file = null, LogLevel minimum = LogLevel.Information)
    {
        _prefix = prefix;
        _minimum = minimum;
        if (file is not null)
        {
            _file = new StreamWriter(new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        }
    }

    /// <summary>A logger for <paramref name="category"/> that writes to the current test's output.</summary>
    public static ILogger For(string category) => new TestLogger().CreateLogger(category);

    /// <summary>Every line kept so far, oldest first.</summary>
    public IReadOnlyList<TestLogLine> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Whether a line with <paramref name="eventId"/> was logged.</summary>
    public bool Logged(int eventId) => Lines.Any(l => l.EventId == eventId);

    /// <summary>The last <paramref name="count"/> lines as text, for failure messages.</summary>
    public string Tail(int count = 150) => string.Join('\n', Lines.TakeLast(count).Select(Format));

    public ILogger CreateLogger(string categoryName) => new CategoryLogger(this, categoryName);

    IDisposable? ILogger.BeginScope<TState>(TState state) => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= _minimum && logLevel != LogLevel.None;

    void ILogger.Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Write("", logLevel, eventId, state, exception, formatter);

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
        }
    }

    private static string Format(TestLogLine line) =>
        string.Create(CultureInfo.InvariantCulture, $"{line.Time:HH:mm:ss.fff} {line.Level,-11} {line.Category}[{line.EventId}] {line.Message}");

    private void Write<TState>(string category, LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var message = formatter(state, exception);
        if (exception is not null)
        {
            message += $" ({exception.GetType().Name}: {exception.Message})";
        }

        // Every category of ours starts so; without it the lines stay readable.
        if (category.StartsWith("DataCluster.", StringComparison.Ordinal))
        {
            category = category["DataCluster.".Length..];
        }

        var line = new TestLogLine(DateTimeOffset.UtcNow, logLevel, _prefix + category, eventId.Id, message);
        var text = Format(line);
        lock (_gate)
        {
            _lines.Add(line);
            try
            {
                _file?.WriteLine(text);
            }
            catch (ObjectDisposedException)
            {
                // A late line from a component being stopped.
            }
        }

        try
        {
            _output?.WriteLine(text);
        }
        catch (InvalidOperationException)
        {
            // The test has finished; its output is closed.
        }
    }

    private sealed class CategoryLogger(TestLogger owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => owner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Write(category, logLevel, eventId, state, exception, formatter);
    }
}
