using DataCluster.Storage.Format;
using Microsoft.Win32.SafeHandles;

namespace DataCluster.Storage.Files;

/// <summary>A partition log as recovery left it: segments in offset order, terms, and the report.</summary>
internal sealed record RecoveredLog(List<Segment> Segments, List<TermStart> Terms, long TermBefore, RecoveryReport Report);

/// <summary>
/// Opens a partition directory after a clean stop or a crash (the rules are in storage/README.md,
/// "Recovery"). Sealed segments are trusted on their seal; every other segment is scanned from its
/// last index point; the first record that fails ends the log, unless a later segment proves that
/// data after it was durable, in which case the log refuses to open. Everything kept is synced
/// before the log is used. Thread-safe (no state).
/// </summary>
internal static class LogRecovery
{
    public static RecoveredLog Recover(string directory, int partition, int indexIntervalBytes)
    {
        DurableFile.CreateDirectory(directory);
        var resetCompleted = false;
        if (ResetMarker.Read(directory) is { } reset)
        {
            foreach (var stale in ListBases(directory))
            {
                DeleteSegmentFiles(directory, stale);
            }

            CreateSynced(directory, reset.StartOffset, reset.TermBefore).Dispose();
            ResetMarker.Delete(directory);
            resetCompleted = true;
        }

        var bases = ListBases(directory);
        if (bases.Count == 0)
        {
            var empty = CreateSynced(directory, 0, 0);
            return new RecoveredLog([empty], [], 0, new RecoveryReport(partition, 0, 0, 0, RecoveryCutReason.None, null, -1, 0, 0, resetCompleted));
        }

        var state = new State(directory);
        for (var i = 0; i < bases.Count && !state.Cut; i++)
        {
            RecoverSegment(state, bases, i, indexIntervalBytes);
        }

        if (state.SegmentsDeleted > 0)
        {
            DurableFile.SyncDirectory(directory);
        }

        // Later segments may have been deleted after this one was taken as sealed: the last
        // segment is the active one.
        var active = state.Segments[^1];
        if (active.Sealed && !active.SealDurable)
        {
            active.Unseal();
        }
        else if (active.Sealed && !active.HasRecords)
        {
            active.CutAt(active.BaseOffset, active.TermBefore);
            active.SyncAfterCut();
        }

        var first = state.Segments[0];
        var last = state.Segments[^1];
        return new RecoveredLog(state.Segments, state.Terms, first.TermBefore, new RecoveryReport(
            partition, first.BaseOffset, last.NextOffset, state.RecordsScanned, state.Reason, state.CutFile, state.CutPosition,
            state.BytesCut, state.SegmentsDeleted, resetCompleted));
    }

    private static void RecoverSegment(State state, List<long> bases, int i, int indexIntervalBytes)
    {
        var directory = state.Directory;
        var baseOffset = bases[i];
        var isLast = i == bases.Count - 1;
        var path = Path.Combine(directory, SegmentFormat.SegmentFileName(baseOffset));
        var indexPath = Path.Combine(directory, SegmentFormat.IndexFileName(baseOffset));
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var fileLength = RandomAccess.GetLength(handle);
        Span<byte> header = stackalloc byte[SegmentFormat.SegmentHeaderBytes];
        var headerBytes = RandomAccess.Read(handle, header, 0);
        var problem = SegmentFormat.TryReadSegmentHeader(header[..headerBytes], out var headerBase, out var termBefore);
        problem ??= headerBase != baseOffset ? $"the header says base offset {headerBase} but the file name says {baseOffset}" : null;
        var index = File.Exists(indexPath) ? File.ReadAllBytes(indexPath) : [];
        if (problem is not null)
        {
            // A segment whose header never reached the disk was created after the last completed
            // flush (a flush syncs a new segment before it counts anything in it as durable).
            var indexed = SegmentFormat.IsIndexHeader(index, baseOffset) && SegmentScanner.ValidEntries(index, 0).Count > 0;
            if (!isLast || indexed || (i == 0 && baseOffset != 0))
            {
                throw new LogCorruptedException(path, 0, $"the segment header is not valid: {problem}");
            }

            handle.Dispose();
            state.CutAt(path, 0, fileLength, RecoveryCutReason.BadSegmentHeader);
            state.SegmentsDeleted++;
            DeleteSegmentFiles(directory, baseOffset);
            if (i == 0)
            {
                state.Segments.Add(CreateSynced(directory, 0, 0));
            }

            return;
        }

        if (state.Segments.Count > 0)
        {
            var previous = state.Segments[^1];
            if (baseOffset != previous.NextOffset || termBefore != previous.LastTerm)
            {
                // A roll creates the next file while the tail of this one may still be unwritten:
                // after a crash, the later segments hold nothing durable unless their index says so.
                var mismatch = $"the segment starts at offset {baseOffset} after term {termBefore}, but the segment before it ends at offset {previous.NextOffset} in term {previous.LastTerm}";
                if (LaterSegmentsHoldDurableData(directory, bases, i))
                {
                    throw new LogCorruptedException(path, 0, mismatch + ", and records from there on are known durable");
                }

                handle.Dispose();
                state.CutAt(path, 0, 0, RecoveryCutReason.OutOfOrder);
                for (var later = bases.Count - 1; later >= i; later--)
                {
                    state.BytesCut += new FileInfo(Path.Combine(directory, SegmentFormat.SegmentFileName(bases[later]))).Length;
                    state.SegmentsDeleted++;
                    DeleteSegmentFiles(directory, bases[later]);
                }

                return;
            }
        }
        else if (termBefore > 0)
        {
            state.Terms.Add(new TermStart(termBefore, baseOffset));
        }

        var indexValid = SegmentFormat.IsIndexHeader(index, baseOffset);
        var entries = indexValid ? SegmentScanner.ValidEntries(index, termBefore) : [];
        if (!isLast && indexValid && SegmentFormat.TryReadSeal(index) is { } seal)
        {
            if (fileLength != seal.SegmentLength)
            {
                throw new LogCorruptedException(path, Math.Min(fileLength, seal.SegmentLength), $"the segment was sealed at {seal.SegmentLength} bytes but the file holds {fileLength}");
            }

            state.AddTerms(baseOffset, entries);
            var lastTerm = entries.Count > 0 ? entries[^1].Term : termBefore;
            state.Segments.Add(Segment.Recovered(directory, baseOffset, termBefore, new RecoveredSegment(
                baseOffset + seal.RecordCount, lastTerm, seal.LastTimestamp, fileLength, null, entries.Count, 0, null, Sealed: true, SealDurable: true)));
            return;
        }

        var scan = SegmentScanner.Scan(handle, path, fileLength, baseOffset, termBefore, entries, indexIntervalBytes);
        state.RecordsScanned += scan.RecordsScanned;
        state.AddTerms(baseOffset, scan.Entries);
        if (scan.Cut != RecoveryCutReason.None)
        {
            if (!isLast && LaterSegmentsHoldDurableData(directory, bases, i + 1))
            {
                throw new LogCorruptedException(path, scan.ValidLength, $"the record at offset {scan.NextOffset} fails its check ({scan.Cut}) but later segments hold records known durable");
            }

            state.CutAt(path, scan.ValidLength, fileLength - scan.ValidLength, scan.Cut);
            RandomAccess.SetLength(handle, scan.ValidLength);
            for (var later = bases.Count - 1; later > i; later--)
            {
                state.BytesCut += new FileInfo(Path.Combine(directory, SegmentFormat.SegmentFileName(bases[later]))).Length;
                state.SegmentsDeleted++;
                DeleteSegmentFiles(directory, bases[later]);
            }
        }

        // What was kept may so far be only in the page cache (a process crash): make it durable.
        DurableFile.Sync(handle);
        var indexHandle = RewriteIndex(indexPath, baseOffset, indexValid, scan.EntriesFromFile);
        state.Segments.Add(Segment.Recovered(directory, baseOffset, termBefore, new RecoveredSegment(
            scan.NextOffset, scan.LastTerm, scan.LastTimestamp, scan.ValidLength, scan.Entries, scan.EntriesFromFile, scan.BytesSinceEntry,
            indexHandle, Sealed: !isLast && scan.Cut == RecoveryCutReason.None, SealDurable: false)));
    }

    /// <summary>Index entries and seals are written only for synced data, so either in a later segment proves it was durable.</summary>
    private static bool LaterSegmentsHoldDurableData(string directory, List<long> bases, int from)
    {
        for (var i = from; i < bases.Count; i++)
        {
            var indexPath = Path.Combine(directory, SegmentFormat.IndexFileName(bases[i]));
            var index = File.Exists(indexPath) ? File.ReadAllBytes(indexPath) : [];
            if (SegmentFormat.IsIndexHeader(index, bases[i]) && (SegmentScanner.ValidEntries(index, 0).Count > 0 || SegmentFormat.TryReadSeal(index) is not null))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Cuts the index file to the entries kept from it (or writes a new one) and syncs it; returns its open handle.</summary>
    private static SafeFileHandle RewriteIndex(string indexPath, long baseOffset, bool valid, int entriesKept)
    {
        var handle = File.OpenHandle(indexPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (!valid)
        {
            Span<byte> header = stackalloc byte[SegmentFormat.IndexHeaderBytes];
            SegmentFormat.WriteIndexHeader(header, baseOffset);
            RandomAccess.Write(handle, header, 0);
            entriesKept = 0;
        }

        RandomAccess.SetLength(handle, SegmentFormat.IndexHeaderBytes + ((long)entriesKept * SegmentFormat.IndexEntryBytes));
        DurableFile.Sync(handle);
        return handle;
    }

    private static Segment CreateSynced(string directory, long baseOffset, long termBefore)
    {
        var segment = Segment.Create(directory, baseOffset, termBefore);
        segment.SyncAfterCut();
        DurableFile.SyncDirectory(directory);
        return segment;
    }

    /// <summary>Base offsets of the segment files, in order; index files without a segment are deleted.</summary>
    private static List<long> ListBases(string directory)
    {
        var bases = new List<long>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.log"))
        {
            var baseOffset = SegmentFormat.BaseOffsetOf(Path.GetFileName(path), ".log");
            if (baseOffset >= 0)
            {
                bases.Add(baseOffset);
            }
        }

        foreach (var path in Directory.EnumerateFiles(directory, "*.index"))
        {
            var baseOffset = SegmentFormat.BaseOffsetOf(Path.GetFileName(path), ".index");
            if (baseOffset >= 0 && !bases.Contains(baseOffset))
            {
                File.Delete(path);
            }
        }

        bases.Sort();
        return bases;
    }

    /// <summary>Deletes a segment's index, then its data file.</summary>
    internal static void DeleteSegmentFiles(string directory, long baseOffset)
    {
        File.Delete(Path.Combine(directory, SegmentFormat.IndexFileName(baseOffset)));
        File.Delete(Path.Combine(directory, SegmentFormat.SegmentFileName(baseOffset)));
    }

    private sealed class State(string directory)
    {
        public string Directory { get; } = directory;

        public List<Segment> Segments { get; } = [];

        public List<TermStart> Terms { get; } = [];

        public long RecordsScanned { get; set; }

        public RecoveryCutReason Reason { get; private set; }

        public string? CutFile { get; private set; }

        public long CutPosition { get; private set; } = -1;

        public long BytesCut { get; set; }

        public int SegmentsDeleted { get; set; }

        public bool Cut => Reason != RecoveryCutReason.None;

        public void CutAt(string file, long position, long bytes, RecoveryCutReason reason)
        {
            CutFile = file;
            CutPosition = position;
            BytesCut += bytes;
            Reason = reason;
        }

        public void AddTerms(long baseOffset, List<IndexEntry> entries)
        {
            foreach (var entry in entries)
            {
                if (Terms.Count == 0 || Terms[^1].Term != entry.Term)
                {
                    Terms.Add(new TermStart(entry.Term, baseOffset + entry.RelativeOffset));
                }
            }
        }
    }
}
