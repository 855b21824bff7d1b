using System.Runtime.CompilerServices;

namespace DataCluster.Client;

/// <summary>When a <see cref="PartitionConsumer"/> tells the cluster what the app consumed.</summary>
public enum ConsumerCommit
{
    /// <summary>
    /// Only when the app calls <see cref="PartitionConsumer.CommitAsync(CancellationToken)"/> (or
    /// the overload that takes the last handled event). The app decides when an event is handled.
    /// </summary>
    Explicit,

    /// <summary>
    /// An event counts as handled once the app asks for the next one (moves the enumerator on);
    /// the consumer commits what was handled before it reads each next page, so while the app
    /// keeps up, at most one page (<see cref="DataClusterClientOptions.PageSize"/>) plus one
    /// poll interval is handled but not yet committed. The last event handed out before the
    /// enumeration ends (break, exception, cancellation) is not counted, and what was handled
    /// since the last commit is committed by the next enumeration or by
    /// <see cref="PartitionConsumer.CommitAsync(CancellationToken)"/>: call it after the loop
    /// once the last event is handled.
    /// </summary>
    OnNextMove,
}

/// <summary>
/// The pull form of delivery for one partition: hands out the partition's committed events in
/// offset order, starting at the consumed offset the cluster has recorded (so a consumer that
/// replaces another, on this pod or another, resumes where the last commit left off), then tails
/// new events as they are committed, across leader changes (421 redirects, 503 with Retry-After,
/// a leader that stops answering), and commits the consumed offset
/// (<c>POST /v1/partitions/{p}/consumed</c>) as <see cref="ConsumerCommit"/> says.
/// </summary>
/// <remarks>
/// <para>At least once: events handed out but not committed are handed out again to the next
/// consumer of the partition (or by push delivery, which moves the same offset). Within one
/// consumer, every event is handed out once, in offset order, whatever leader answers.</para>
/// <para>One enumeration of <see cref="ReadAsync"/> at a time; <see cref="CommitAsync(CancellationToken)"/>
/// may be called from the loop body or from another thread. Commits are sent one at a time and
/// never lower the offset; a retried or late commit is harmless.</para>
/// <para>Create it with <see cref="IDataClusterClient.Consume"/>; it holds no connection of its
/// own, so nothing needs disposing beyond the client.</para>
/// </remarks>
public sealed class PartitionConsumer
{
    private readonly DataClusterClient _client;
    private readonly SemaphoreSlim _commits = new(1, 1);
    private long _position = -1;
    private long _handled = -1;
    private long _committed = -1;
    private int _reading;

    internal PartitionConsumer(DataClusterClient client, int partition, ConsumerCommit commit)
    {
        _client = client;
        Partition = partition;
        Commit = commit;
    }

    /// <summary>The partition consumed.</summary>
    public int Partition { get; }

    /// <summary>When this consumer commits.</summary>
    public ConsumerCommit Commit { get; }

    /// <summary>The offset of the last event handed out; -1 before the first.</summary>
    public long Position => Interlocked.Read(ref _position);

    /// <summary>
    /// The consumed offset as this consumer last knew it: every event below it is consumed. The
    /// cluster's value when reading started, then what this consumer's commits recorded; -1
    /// before the first page was read.
    /// </summary>
    public long CommittedOffset => Interlocked.Read(ref _committed);

    /// <summary>
    /// The partition's events from its consumed offset (on the first call; later calls go on after
    /// <see cref="Position"/>), then each new one as it is committed, until cancelled.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another enumeration of this consumer is running.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The partition does not exist in the cluster's ring.</exception>
    /// <exception cref="DataClusterRejectedException">An agent refused the read or a commit (4xx).</exception>
    /// <exception cref="DataClusterUnavailableException">With <see cref="ConsumerCommit.OnNextMove"/>, a commit found no leader within the write timeout.</exception>
    public async IAsyncEnumerable<Event> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException($"Partition {Partition}'s consumer is already being read; enumerate ReadAsync once at a time.");
        }

        try
        {
            var partitions = await _client.PartitionsAsync(cancellationToken).ConfigureAwait(false);
            if (Partition >= partitions)
            {
                throw new ArgumentOutOfRangeException(nameof(Partition), Partition, $"Partitions are numbered 0 to {partitions - 1}.");
            }

            while (true)
            {
                if (Commit == ConsumerCommit.OnNextMove)
                {
                    await CommitHandledAsync(cancellationToken).ConfigureAwait(false);
                }

                var started = Position >= 0 || CommittedOffset >= 0;
                var page = await _client.ConsumerPageAsync(Partition, started ? Position : null, cancellationToken).ConfigureAwait(false);
                if (page is null)
                {
                    continue; // the leader could not be read; asked again after the pause
                }

                if (!started)
                {
                    // The cluster's record is where consumption starts: everything below it is consumed.
                    var consumed = page.ConsumedOffset ?? 0;
                    Raise(ref _committed, consumed);
                    Raise(ref _position, consumed - 1);
                }

                foreach (var item in page.Events)
                {
                    if (item.Offset <= Position)
                    {
                        continue; // never hand out an event twice, whatever a member answers
                    }

                    Interlocked.Exchange(ref _position, item.Offset);
                    yield return new Event(Partition, item.Offset, item.Epoch, item.Key, DateTimeOffset.FromUnixTimeMilliseconds(item.Timestamp), item.ContentType, item.Body ?? []);
                    Raise(ref _handled, item.Offset);
                }

                // Here the app has asked for the event after every one handed out so far: with
                // OnNextMove they are handled, and so are the records the page examined without an
                // event to hand out (a new leader's TermStart).
                var caughtUp = page.NextAfter >= page.CommitOffset - 1 || (page.NextAfter <= Position && page.Events.Count == 0);
                Raise(ref _position, page.NextAfter);
                Raise(ref _handled, page.NextAfter);

                if (caughtUp)
                {
                    if (Commit == ConsumerCommit.OnNextMove)
                    {
                        await CommitHandledAsync(cancellationToken).ConfigureAwait(false);
                    }

                    await Task.Delay(_client.FollowPollInterval, _client.Time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }

    /// <summary>Commits every event handed out so far (up to <see cref="Position"/>) as consumed.</summary>
    /// <returns>The partition's consumed offset after the commit.</returns>
    /// <exception cref="DataClusterRejectedException">The agent refused the offset.</exception>
    /// <exception cref="DataClusterUnavailableException">No leader took it within the write timeout; committing again later is harmless.</exception>
    public Task<long> CommitAsync(CancellationToken cancellationToken = default) => CommitThroughAsync(Position, cancellationToken);

    /// <summary>Commits <paramref name="handled"/> and every event of the partition before it as consumed.</summary>
    /// <returns>The partition's consumed offset after the commit.</returns>
    /// <exception cref="ArgumentException"><paramref name="handled"/> is of another partition, or was not handed out by this consumer yet.</exception>
    /// <inheritdoc cref="CommitAsync(CancellationToken)"/>
    public Task<long> CommitAsync(Event handled, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handled);
        if (handled.Partition != Partition)
        {
            throw new ArgumentException($"The event is of partition {handled.Partition}; this consumer commits partition {Partition}.", nameof(handled));
        }

        if (handled.Offset > Position)
        {
            throw new ArgumentException($"Offset {handled.Offset} was not handed out by this consumer yet (it is at {Position}); commit only events it handed out.", nameof(handled));
        }

        return CommitThroughAsync(handled.Offset, cancellationToken);
    }

    private Task CommitHandledAsync(CancellationToken cancellationToken) => CommitThroughAsync(Interlocked.Read(ref _handled), cancellationToken);

    /// <summary>Commits offset <paramref name="last"/> + 1 unless the recorded offset is already there.</summary>
    private async Task<long> CommitThroughAsync(long last, CancellationToken cancellationToken)
    {
        var offset = last + 1;
        if (offset <= CommittedOffset || offset <= 0)
        {
            return CommittedOffset;
        }

        await _commits.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (offset <= CommittedOffset)
            {
                return CommittedOffset;
            }

            var recorded = await _client.CommitConsumedAsync(Partition, offset, cancellationToken).ConfigureAwait(false);
            Raise(ref _committed, recorded);
            return CommittedOffset;
        }
        finally
        {
            _commits.Release();
        }
    }

    private static void Raise(ref long field, long value)
    {
        var current = Interlocked.Read(ref field);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref field, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
