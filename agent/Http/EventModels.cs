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
public sealed record EventItem(long Offset, long Epoch, string Key, long Timestamp, string? ContentType, ReadOnlyMemory<byte> Body);

/// <summary>Committed events of a partition (or of one key), in offset order.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Member">The member whose copy of the log answered.</param>
/// <param name="CommitOffset">Every event below this offset is committed on that member.</param>
/// <param name="StartOffset">The first offset that member still holds.</param>
/// <param name="NextAfter">Pass as <c>after</c> to continue where this answer stopped.</param>
/// <param name="Events">The events.</param>
public sealed record EventsResponse(int Partition, string Member, long CommitOffset, long StartOffset, long NextAfter, IReadOnlyList<EventItem> Events);

/// <summary>A 421 answer: another member leads the partition.</summary>
/// <param name="Error">Always <c>not_leader</c>.</param>
/// <param name="Message">What to do.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Leader">The leader and its client address, when known.</param>
public sealed record MisdirectedBody(string Error, string Message, int Partition, OwnerRef? Leader);
