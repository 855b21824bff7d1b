namespace DataCluster.Storage;

/// <summary>Why recovery cut a partition log's tail.</summary>
public enum RecoveryCutReason
{
    /// <summary>Nothing was cut.</summary>
    None,

    /// <summary>The file ends inside a record: a write torn by the crash.</summary>
    Incomplete,

    /// <summary>Zeros where a record should start: space the file system extended or preallocated but the data never reached.</summary>
    ZeroFilled,

    /// <summary>A length field (the record's or one inside it) is impossible.</summary>
    BadLength,

    /// <summary>A whole record whose CRC32C does not match its bytes.</summary>
    BadCrc,

    /// <summary>A valid record, or a segment, whose offset does not follow the one before it, or whose term is lower.</summary>
    OutOfOrder,

    /// <summary>A segment created after the last completed flush whose header never reached the disk.</summary>
    BadSegmentHeader,
}

/// <summary>
/// What opening a partition log found and did: how much it checked, and what it cut from the tail
/// (bytes written after the last completed flush that did not survive the crash whole).
/// </summary>
/// <param name="Partition">The partition.</param>
/// <param name="StartOffset">First offset of the recovered log.</param>
/// <param name="NextOffset">Offset after the last record kept.</param>
/// <param name="RecordsScanned">Records read and checked (CRC, framing, order) on open: those after the last index point of each segment not sealed.</param>
/// <param name="Reason">Why the tail was cut, or <see cref="RecoveryCutReason.None"/>.</param>
/// <param name="CutFile">The segment file cut, or null.</param>
/// <param name="CutPosition">Byte position of the cut in <paramref name="CutFile"/>, or -1.</param>
/// <param name="BytesCut">Bytes removed: the cut file's tail plus every later segment deleted.</param>
/// <param name="SegmentsDeleted">Segments after the cut deleted whole (they held nothing known durable).</param>
/// <param name="ResetCompleted">A <see cref="PartitionLog.Reset"/> interrupted by the crash was finished.</param>
public sealed record RecoveryReport(
    int Partition,
    long StartOffset,
    long NextOffset,
    long RecordsScanned,
    RecoveryCutReason Reason,
    string? CutFile,
    long CutPosition,
    long BytesCut,
    int SegmentsDeleted,
    bool ResetCompleted)
{
    /// <summary>True when nothing was cut, deleted or redone.</summary>
    public bool Clean => Reason == RecoveryCutReason.None && SegmentsDeleted == 0 && !ResetCompleted;

    /// <inheritdoc/>
    public override string ToString() => Clean
        ? $"partition {Partition}: offsets {StartOffset}..{NextOffset}, {RecordsScanned} records checked, nothing cut"
        : $"partition {Partition}: offsets {StartOffset}..{NextOffset}, {RecordsScanned} records checked; cut {BytesCut} bytes ({Reason}) at byte {CutPosition} of {CutFile ?? "-"}, {SegmentsDeleted} later segments deleted{(ResetCompleted ? ", interrupted reset completed" : "")}";
}
