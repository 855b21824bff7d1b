using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DataCluster.Kube.Tests.Support;

/// <summary>Forwards to the test output and remembers which event ids were logged.</summary>
internal sealed class RecordingLogger(string category) : ILogger
{
    private readonly ILogger _output = TestOutputLogger.For(category);
    private readonly ConcurrentQueue<int> _events = new();

    public IReadOnlyCollection<int> EventIds => _events;

    public bool Logged(int eventId) => _events.Contains(eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        _events.Enqueue(eventId.Id);
        _output.Log(logLevel, eventId, state, exception, formatter);
    }
}
