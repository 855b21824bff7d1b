namespace DataCluster.Agent.Http;

/// <summary>The answer to an acknowledged write.</summary>
/// <param name="Partition">The key's partition.</param>
/// <param name="Epoch">The partition epoch (leader term) the event was written in.</param>
/// <param name="Offset">The event's offset in the partition log.</param>
/// <param name="CommitLevel">The commit level that was met: One, Quorum or All.</param>
/// <param name="Duplicate">True when this was a producer's retry of an event already written (the original offset is returned).</param>
public sealed record WriteResponse(int Partition, long Epoch, long Offset, string CommitLevel, bool Duplicate);

/// <summary>One committed event.</summary>
/// <param name="Offset">Its offset in the partition log (offsets of control records are skipped).</param>
/// <param name="Epoch">The partition epoch it was written in.</param>
/// <param name="Key">The entity key.</param>
/// <param name="Timestamp">When its leader accepted it, Unix milliseconds.</param>
/// <param name="ContentType">The content type it was written with, or null.</param>
/// <param name="Body">The body exactly as written (base64 in JSON).</param>
public sealed record EventItem(long Offset, long Epoch, string Key, long Timestamp, string? ContentType, ReadOnlyMemory<byte> Body)
{
    /// <summary>The event of a data record.</summary>
    public static EventItem From(Storage.LogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new EventItem(record.Offset, record.Term, System.Text.Encoding.UTF8.GetString(record.Key.Span), record.Timestamp, record.ContentType, record.Body);
    }
}

/// <summary>Committed events of a partition (or of one key), in offset order.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Member">The member whose copy of the log answered.</param>
/// <param name="CommitOffset">Every event below this offset is committed on that member.</param>
/// <param name="StartOffset">The first offset that member still holds.</param>
/// <param name="NextAfter">Pass as <c>after</c> to continue where this answer stopped.</param>
/// <param name="Events">The events.</param>
/// <param name="ConsumedOffset">The partition's consumed offset on that member: every event below it was consumed by the app (pushed and taken, or committed by a pulling app).</param>
public sealed record EventsResponse(int Partition, string Member, long CommitOffset, long StartOffset, long NextAfter, IReadOnlyList<EventItem> Events, long ConsumedOffset);

/// <summary>
/// One batch pushed to the app's delivery URL (<c>DATACLUSTER_APP_DELIVERY_URL</c>): committed
/// events of one partition in offset order, from its consumed offset.
/// </summary>
/// <param name="Partition">The partition.</param>
/// <param name="Epoch">The partition epoch of the leader delivering it; a batch of a newer epoch may repeat events of an older one.</param>
/// <param name="Member">The member delivering it (the partition's leader).</param>
/// <param name="NextOffset">The consumed offset once the app answers 2xx: one past the last record the batch covers.</param>
/// <param name="Events">The events, as <c>GET /v1/partitions/{p}/events</c> returns them.</param>
public sealed record DeliveryBody(int Partition, long Epoch, string Member, long NextOffset, IReadOnlyList<EventItem> Events);

/// <summary>The body of <c>POST /v1/partitions/{p}/consumed</c>.</summary>
/// <param name="Offset">Every event of the partition below this offset was consumed: the last event's offset plus one.</param>
public sealed record ConsumedRequest(long? Offset);

/// <summary>The answer to <c>POST /v1/partitions/{p}/consumed</c>.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="ConsumedOffset">The consumed offset now (the one given, or a higher one already recorded).</param>
/// <param name="CommitOffset">The partition's commit point.</param>
/// <param name="Advanced">False when the offset given was at or below the consumed offset already recorded (nothing changed).</param>
public sealed record ConsumedResponse(int Partition, long ConsumedOffset, long CommitOffset, bool Advanced);

/// <summary>A 421 answer: another member leads the partition.</summary>
/// <param name="Error">Always <c>not_leader</c>.</param>
/// <param name="Message">What to do.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Leader">The leader and its client address, when known.</param>
public sealed record MisdirectedBody(string Error, string Message, int Partition, OwnerRef? Leader);
