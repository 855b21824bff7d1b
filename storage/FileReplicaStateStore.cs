using System.Buffers.Binary;
using System.Text;
using DataCluster.Storage.Files;
using DataCluster.Storage.Format;

namespace DataCluster.Storage;

/// <summary>
/// An <see cref="IReplicaStateStore"/> in one file for all partitions of a member. Each save
/// rewrites the whole file atomically (temporary file, fsync, rename, fsync of the directory), so
/// after a crash the file holds either every change of a save or none. The file ends with a
/// CRC32C of everything before it; a damaged file is refused on load with its path. Not
/// thread-safe: one caller at a time.
/// </summary>
/// <remarks>
/// Layout (little-endian): magic "DCRS", version byte, 3 zero bytes, entry count (int32); per
/// entry: partition (int32), promised term (int64), promised-to (int32 UTF-8 length, -1 for
/// null, bytes), replica count (int32) and each replica (int32 length, UTF-8 bytes), commit
/// offset (int64), consumed offset (int64), earlier replica sets (int32 count; per set an int32
/// count and each member as above); after the entries, when any state has one, the assigned
/// replica sets: magic "ASGN", count (int32), per set the partition (int32), member count (int32)
/// and each member; then CRC32C (uint32) of every byte before it. The assigned sets came later
/// and sit after the entries so that a build from before them, which stops reading after the
/// last entry, still reads the file (an agent rolled back after an upgrade keeps its promises).
/// </remarks>
public sealed class FileReplicaStateStore : IReplicaStateStore
{
    private const byte Version = 1;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private Dictionary<int, ReplicaState>? _states;

    /// <summary>A store kept in <paramref name="path"/> (created on the first save).</summary>
    public FileReplicaStateStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FilePath = Path.GetFullPath(path);
    }

    /// <summary>The state file.</summary>
    public string FilePath { get; }

    private static ReadOnlySpan<byte> Magic => "DCRS"u8;

    private static ReadOnlySpan<byte> AssignedMagic => "ASGN"u8;

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The file is damaged; the message names it.</exception>
    public IReadOnlyDictionary<int, ReplicaState> Load() => new Dictionary<int, ReplicaState>(States);

    /// <inheritdoc/>
    public ValueTask SaveAsync(IReadOnlyDictionary<int, ReplicaState> changed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changed);
        cancellationToken.ThrowIfCancellationRequested();
        var next = new Dictionary<int, ReplicaState>(States);
        foreach (var (partition, state) in changed)
        {
            ArgumentNullException.ThrowIfNull(state);
            next[partition] = state;
        }

        DurableFile.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        DurableFile.ReplaceAtomically(FilePath, Encode(next));
        _states = next;
        return ValueTask.CompletedTask;
    }

    private Dictionary<int, ReplicaState> States => _states ??= Read();

    private Dictionary<int, ReplicaState> Read()
    {
        if (!File.Exists(FilePath))
        {
            return [];
        }

        var bytes = File.ReadAllBytes(FilePath);
        try
        {
            return Decode(bytes);
        }
        catch (Exception exception) when (exception is ArgumentOutOfRangeException or ArgumentException or InvalidDataException)
        {
            throw new InvalidDataException($"replica state file {FilePath} is damaged ({exception.Message}); it is replaced whole on every save, so this is not a torn write. " +
                "Restore it from a backup, or delete it to make this member forget its promises: only do that if the member also drops its partition logs, or it could vote twice in a term.", exception);
        }
    }

    private static byte[] Encode(Dictionary<int, ReplicaState> states)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Utf8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(new byte[3]);
            writer.Write(states.Count);
            var ordered = states.OrderBy(pair => pair.Key).ToList();
            foreach (var (partition, state) in ordered)
            {
                writer.Write(partition);
                writer.Write(state.PromisedTerm);
                WriteString(writer, state.PromisedTo);
                writer.Write(state.PromisedReplicas.Count);
                foreach (var replica in state.PromisedReplicas)
                {
                    WriteString(writer, replica);
                }

                writer.Write(state.CommitOffset);
                writer.Write(state.ConsumedOffset);
                var earlier = state.EarlierReplicaSets ?? [];
                writer.Write(earlier.Count);
                foreach (var set in earlier)
                {
                    writer.Write(set.Count);
                    foreach (var member in set)
                    {
                        WriteString(writer, member);
                    }
                }
            }

            var assigned = ordered.FindAll(pair => pair.Value.AssignedReplicas is not null);
            if (assigned.Count > 0)
            {
                writer.Write(AssignedMagic);
                writer.Write(assigned.Count);
                foreach (var (partition, state) in assigned)
                {
                    writer.Write(partition);
                    writer.Write(state.AssignedReplicas!.Count);
                    foreach (var member in state.AssignedReplicas)
                    {
                        WriteString(writer, member);
                    }
                }
            }
        }

        var content = stream.GetBuffer().AsSpan(0, (int)stream.Length);
        var result = new byte[content.Length + 4];
        content.CopyTo(result);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(content.Length), Crc32C.Compute(content));
        return result;
    }

    private static Dictionary<int, ReplicaState> Decode(byte[] bytes)
    {
        if (bytes.Length < 16 || !bytes.AsSpan(0, 4).SequenceEqual(Magic))
        {
            throw new InvalidDataException("it does not start with the replica state magic \"DCRS\"");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)) != Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)))
        {
            throw new InvalidDataException("its CRC32C does not match its content");
        }

        if (bytes[4] != Version)
        {
            throw new InvalidDataException($"format version {bytes[4]} is not the version {Version} this build reads");
        }

        var reader = new SpanReader(bytes.AsSpan(8, bytes.Length - 12));
        var count = reader.Int32();
        var states = new Dictionary<int, ReplicaState>(count);
        for (var i = 0; i < count; i++)
        {
            var partition = reader.Int32();
            var term = reader.Int64();
            var promisedTo = reader.String();
            var replicas = new string[reader.Int32()];
            for (var r = 0; r < replicas.Length; r++)
            {
                replicas[r] = reader.String() ?? throw new InvalidDataException("a replica name is null");
            }

            var commit = reader.Int64();
            var consumed = reader.Int64();
            var earlier = new IReadOnlyList<string>[reader.Int32()];
            for (var e = 0; e < earlier.Length; e++)
            {
                var set = new string[reader.Int32()];
                for (var m = 0; m < set.Length; m++)
                {
                    set[m] = reader.String() ?? throw new InvalidDataException("a member of an earlier replica set is null");
                }

                earlier[e] = set;
            }

            states[partition] = new ReplicaState(term, promisedTo, replicas, commit, consumed, earlier.Length == 0 ? null : earlier);
        }

        if (reader.StartsWith(AssignedMagic))
        {
            reader.Skip(AssignedMagic.Length);
            var sets = reader.Int32();
            for (var i = 0; i < sets; i++)
            {
                var partition = reader.Int32();
                var set = new string[reader.Int32()];
                for (var m = 0; m < set.Length; m++)
                {
                    set[m] = reader.String() ?? throw new InvalidDataException("a member of an assigned replica set is null");
                }

                if (!states.TryGetValue(partition, out var state))
                {
                    throw new InvalidDataException($"it has an assigned replica set for partition {partition}, which has no entry");
                }

                states[partition] = state with { AssignedReplicas = set };
            }
        }

        return states;
    }

    private static void WriteString(BinaryWriter writer, string? value)
    {
        if (value is null)
        {
            writer.Write(-1);
            return;
        }

        var bytes = Utf8.GetBytes(value);
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public int Int32()
        {
            var value = BinaryPrimitives.ReadInt32LittleEndian(_data);
            _data = _data[4..];
            return value;
        }

        public readonly bool StartsWith(ReadOnlySpan<byte> prefix) => _data.StartsWith(prefix);

        public void Skip(int bytes) => _data = _data[bytes..];

        public long Int64()
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(_data);
            _data = _data[8..];
            return value;
        }

        public string? String()
        {
            var length = Int32();
            if (length < 0)
            {
                return null;
            }

            var value = Utf8.GetString(_data[..length]);
            _data = _data[length..];
            return value;
        }
    }
}
