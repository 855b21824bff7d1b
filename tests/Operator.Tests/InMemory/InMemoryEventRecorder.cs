using DataCluster.Kube.Controllers;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Tests.InMemory;

/// <summary>One Event as recorded.</summary>
internal sealed record RecordedEvent(string? Uid, string? Name, string Type, string Reason, string Message);

/// <summary>
/// <see cref="IEventRecorder"/> that keeps every Event in a list: <see cref="RecordAsync"/> adds
/// one per call (where the real recorder would raise a count), <see cref="RecordOnceAsync"/> adds
/// one unless the same Event was recorded once and not forgotten since.
/// </summary>
/// <remarks>Not thread-safe; never throws.</remarks>
internal sealed class InMemoryEventRecorder : IEventRecorder
{
    private readonly HashSet<(string? Uid, string Type, string Reason, string Message)> _once = [];

    public List<RecordedEvent> Events { get; } = [];

    public Task RecordAsync(ObjectReference involved, string type, string reason, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(involved);
        Events.Add(new RecordedEvent(involved.Uid, involved.Name, type, reason, message));
        return Task.CompletedTask;
    }

    public Task RecordOnceAsync(ObjectReference involved, string type, string reason, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(involved);
        return _once.Add((involved.Uid, type, reason, message)) ? RecordAsync(involved, type, reason, message, cancellationToken) : Task.CompletedTask;
    }

    public void Forget(string uid, string? reason = null) =>
        _once.RemoveWhere(e => e.Uid == uid && (reason is null || e.Reason == reason));
}
