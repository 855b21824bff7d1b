namespace DataCluster.Client;

/// <summary>
/// An app's connection to a DataCluster: writes events for keys, reads them back in order, and
/// tells which partitions an agent holds and leads.
/// </summary>
/// <remarks>
/// Thread-safe; one instance per app (the DI registration is a singleton). Writes of one
/// partition are sent one at a time, in the order they were called, so that events of a key keep
/// their order even when callers write concurrently, and so that each write's producer sequence
/// reaches the leader after the ones before it. Writes of different partitions run in parallel.
/// </remarks>
public interface IDataClusterClient : IAsyncDisposable
{
    /// <summary>The partition of <paramref name="key"/>, computed locally with the ring's hash (reads the ring first if needed).</summary>
    /// <exception cref="ArgumentException">The key is empty, over the limit, or not encodable as UTF-8.</exception>
    Task<int> PartitionOfAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes an event for <paramref name="key"/> and returns once the commit level is met.
    /// Retries on a redirect (421), an unavailable partition (503, after its Retry-After), a lost
    /// connection and a timeout, with the same producer id and sequence, so the event is stored
    /// once; gives up after <see cref="WriteOptions.Timeout"/> (else
    /// <see cref="DataClusterClientOptions.WriteTimeout"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The key is empty, over the limit, or not encodable as UTF-8.</exception>
    /// <exception cref="DataClusterRejectedException">The agent refused the write (4xx).</exception>
    /// <exception cref="DataClusterUnavailableException">No acknowledgement within the time allowed.</exception>
    Task<WriteResult> WriteAsync(string key, ReadOnlyMemory<byte> body, WriteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="text"/> as UTF-8 (<c>text/plain; charset=utf-8</c> unless the options name a content type).</summary>
    /// <inheritdoc cref="WriteAsync(string, ReadOnlyMemory{byte}, WriteOptions?, CancellationToken)"/>
    Task<WriteResult> WriteAsync(string key, string text, WriteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The committed events of <paramref name="key"/> after offset <paramref name="after"/>
    /// (-1: from the start) in the order they were acknowledged, read from the partition's
    /// leader page by page; ends at the newest committed event.
    /// </summary>
    IAsyncEnumerable<Event> ReadKeyAsync(string key, long after = -1, CancellationToken cancellationToken = default);

    /// <summary>The committed events of <paramref name="partition"/> after <paramref name="after"/> in offset order; ends at the newest committed event.</summary>
    IAsyncEnumerable<Event> ReadPartitionAsync(int partition, long after = -1, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tails <paramref name="partition"/>: its committed events after <paramref name="after"/>,
    /// then each new one as it is committed (asking every
    /// <see cref="DataClusterClientOptions.FollowPollInterval"/>), across leader changes, until
    /// cancelled, from an offset the app keeps itself; <see cref="Consume"/> keeps it in the
    /// cluster instead (the consumed offset push delivery moves too).
    /// </summary>
    IAsyncEnumerable<Event> FollowPartitionAsync(int partition, long after = -1, CancellationToken cancellationToken = default);

    /// <summary>
    /// A pull consumer of <paramref name="partition"/>: its events from the consumed offset the
    /// cluster recorded, in order, across leader changes, committing what the app consumed as
    /// <paramref name="commit"/> says (see <see cref="PartitionConsumer"/>). The alternative to
    /// push delivery, for an app that takes events at its own pace.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The partition is negative or beyond the ring's count, or <paramref name="commit"/> is not defined.</exception>
    PartitionConsumer Consume(int partition, ConsumerCommit commit = ConsumerCommit.Explicit);

    /// <summary>
    /// The assignment changes of the agent at <paramref name="agent"/> (default: the base
    /// address, the app's own agent) until cancelled, reconnecting as needed; see
    /// <see cref="AssignmentChangeKind"/> for what a reconnect looks like.
    /// </summary>
    IAsyncEnumerable<AssignmentChange> WatchAssignmentsAsync(Uri? agent = null, CancellationToken cancellationToken = default);
}
