using System.Runtime.CompilerServices;
using System.Text.Json;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Watch;

/// <summary>
/// Parses a watch response body: one JSON object per line, {"type": "...", "object": {...}}.
/// Reads incrementally, yielding each event as soon as its line is complete, so a long-lived
/// stream is never buffered as a whole.
/// </summary>
public static class WatchStreamReader
{
    // A single event is one object; 64 MiB is far above etcd's 1.5 MiB object limit, so a line
    // this long means the stream is not what we think it is.
    internal const int MaxLineBytes = 64 << 20;

    private const int InitialBufferBytes = 16 << 10;

    /// <summary>
    /// Yields the events of <paramref name="stream"/> until it ends. An ERROR event becomes an
    /// exception (<see cref="GoneException"/> for 410). A final line without a newline is parsed
    /// too. Not thread-safe: one consumer per stream.
    /// </summary>
    public static async IAsyncEnumerable<WatchEvent<T>> ReadAsync<T>(Stream stream, ResourceType<T> type, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        var buffer = new byte[InitialBufferBytes];
        var start = 0; // first unconsumed byte
        var end = 0;   // one past the last byte read
        var scanned = 0; // bytes from start already known to hold no newline
        while (true)
        {
            var newline = buffer.AsSpan(start + scanned, end - start - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var lineEnd = start + scanned + newline;
                var line = new ReadOnlyMemory<byte>(buffer, start, lineEnd - start);
                start = lineEnd + 1;
                scanned = 0;
                if (Parse(line.Span, type) is { } parsed)
                {
                    yield return parsed;
                }

                continue;
            }

            scanned = end - start;
            if (start > 0 && end == buffer.Length)
            {
                // Move the partial line to the front before reading more.
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }

            if (end == buffer.Length)
            {
                if (buffer.Length >= MaxLineBytes)
                {
                    throw new InvalidDataException($"A watch event of {type.Kind} is longer than {MaxLineBytes} bytes; the stream is not a watch stream.");
                }

                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxLineBytes));
            }

            var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (end > start && Parse(buffer.AsSpan(start, end - start), type) is { } last)
                {
                    yield return last;
                }

                yield break;
            }

            end += read;
        }
    }

    /// <summary>Parses one line; null for a blank line.</summary>
    internal static WatchEvent<T>? Parse<T>(ReadOnlySpan<byte> line, ResourceType<T> type)
        where T : class, IKubernetesObject
    {
        line = line.Trim("\r\t "u8);
        if (line.IsEmpty)
        {
            return null;
        }

        using var document = JsonDocument.Parse(line.ToArray());
        var root = document.RootElement;
        if (!root.TryGetProperty("type", out var typeElement) || !root.TryGetProperty("object", out var objectElement))
        {
            throw new InvalidDataException($"A watch event of {type.Kind} lacks 'type' or 'object'.");
        }

        var eventType = typeElement.GetString() switch
        {
            "ADDED" => WatchEventType.Added,
            "MODIFIED" => WatchEventType.Modified,
            "DELETED" => WatchEventType.Deleted,
            "BOOKMARK" => WatchEventType.Bookmark,
            "ERROR" => throw KubeErrors.FromStatus(objectElement.Deserialize(KubeJsonContext.Default.Status) ?? new Status { Message = "watch ERROR event without a Status" }),
            var other => throw new InvalidDataException($"A watch event of {type.Kind} has the unknown type '{other}'."),
        };

        return new WatchEvent<T>(eventType, type.Read(objectElement));
    }
}
