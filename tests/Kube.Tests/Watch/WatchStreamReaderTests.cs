using System.Text;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Kube.Watch;

namespace DataCluster.Kube.Tests.Watch;

public sealed class WatchStreamReaderTests
{
    private const string Added = """{"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"ns","resourceVersion":"10"},"data":{"k":"1"}}}""";
    private const string Modified = """{"type":"MODIFIED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"ns","resourceVersion":"11"},"data":{"k":"2"}}}""";
    private const string Bookmark = """{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"12","creationTimestamp":null}}}""";
    private const string Deleted = """{"type":"DELETED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"ns","resourceVersion":"13"},"data":{"k":"2"}}}""";
    private const string Gone = """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (12)","reason":"Expired","code":410}}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<WatchEvent<ConfigMap>>> ReadAll(Stream stream)
    {
        var events = new List<WatchEvent<ConfigMap>>();
        await foreach (var e in WatchStreamReader.ReadAsync(stream, KubeResources.ConfigMaps, Ct))
        {
            events.Add(e);
        }

        return events;
    }

    [Fact]
    public async Task Events_are_parsed_whatever_the_chunk_boundaries()
    {
        var body = Encoding.UTF8.GetBytes(string.Join('\n', Added, Modified, Bookmark, Deleted) + "\n");

        // Every chunk size from one byte (every possible split inside a line) to the whole body.
        foreach (var chunk in new[] { 1, 2, 3, 7, 64, 1000, body.Length })
        {
            var events = await ReadAll(new ChunkedStream(body, chunk));

            Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Bookmark, WatchEventType.Deleted], events.Select(e => e.Type));
            Assert.Equal(["10", "11", "12", "13"], events.Select(e => e.ResourceVersion));
            Assert.Equal("2", events[1].Object.Data!["k"]);
        }
    }

    [Fact]
    public async Task Each_event_is_yielded_as_soon_as_its_line_is_complete()
    {
        var stream = new ScriptedStream();
        var reader = WatchStreamReader.ReadAsync(stream, KubeResources.ConfigMaps, Ct).GetAsyncEnumerator(Ct);

        stream.Feed(Added[..20]);
        var first = reader.MoveNextAsync().AsTask();
        stream.Feed(Added[20..] + "\n" + Modified[..5]);
        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        Assert.Equal(WatchEventType.Added, reader.Current.Type);

        var second = reader.MoveNextAsync().AsTask();
        await Task.Delay(50, Ct);
        Assert.False(second.IsCompleted); // half a line is not an event
        stream.Feed(Modified[5..] + "\n");
        Assert.True(await second.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        Assert.Equal(WatchEventType.Modified, reader.Current.Type);

        stream.End();
        Assert.False(await reader.MoveNextAsync());
    }

    [Fact]
    public async Task Blank_lines_CRLF_and_a_last_line_without_newline_are_accepted()
    {
        var body = Encoding.UTF8.GetBytes("\n" + Added + "\r\n\r\n" + Modified);
        var events = await ReadAll(new MemoryStream(body));
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified], events.Select(e => e.Type));
    }

    [Fact]
    public async Task An_ERROR_event_with_410_throws_Gone_after_the_events_before_it()
    {
        var body = Encoding.UTF8.GetBytes(Added + "\n" + Gone + "\n" + Modified + "\n");
        var seen = new List<WatchEventType>();
        var error = await Assert.ThrowsAsync<GoneException>(async () =>
        {
            await foreach (var e in WatchStreamReader.ReadAsync(new MemoryStream(body), KubeResources.ConfigMaps, Ct))
            {
                seen.Add(e.Type);
            }
        });

        Assert.Equal([WatchEventType.Added], seen);
        Assert.Equal("too old resource version: 5 (12)", error.Message);
    }

    [Fact]
    public async Task Other_ERROR_events_throw_the_mapped_exception()
    {
        var body = """{"type":"ERROR","object":{"kind":"Status","message":"etcd is unhappy","reason":"InternalError","code":500}}"""u8.ToArray();
        var error = await Assert.ThrowsAsync<KubeApiException>(() => ReadAll(new MemoryStream(body)));
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("etcd is unhappy", error.Message);
    }

    [Fact]
    public async Task A_line_that_is_not_an_event_is_reported()
    {
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(new MemoryStream("""{"kind":"ConfigMap"}"""u8.ToArray())));
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(new MemoryStream("""{"type":"SURPRISE","object":{}}"""u8.ToArray())));
    }

    [Fact]
    public async Task Events_far_larger_than_the_initial_buffer_are_read_whole()
    {
        var big = new string('x', 200_000);
        var line = """{"type":"ADDED","object":{"kind":"ConfigMap","metadata":{"name":"big","resourceVersion":"1"},"data":{"k":"BIG"}}}""".Replace("BIG", big, StringComparison.Ordinal);
        var events = await ReadAll(new ChunkedStream(Encoding.UTF8.GetBytes(line + "\n" + Modified + "\n"), 4096));
        Assert.Equal(big, events[0].Object.Data!["k"]);
        Assert.Equal("11", events[1].ResourceVersion);
    }

    /// <summary>Returns at most <paramref name="chunk"/> bytes per read, like a chunked HTTP body.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }

    /// <summary>A stream the test feeds piece by piece; reads wait for the next piece.</summary>
    private sealed class ScriptedStream : Stream
    {
        private readonly System.Threading.Channels.Channel<byte[]> _pieces = System.Threading.Channels.Channel.CreateUnbounded<byte[]>();
        private byte[] _current = [];
        private int _offset;

        public void Feed(string text) => _pieces.Writer.TryWrite(Encoding.UTF8.GetBytes(text));

        public void End() => _pieces.Writer.TryComplete();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_offset == _current.Length)
            {
                if (!await _pieces.Reader.WaitToReadAsync(cancellationToken))
                {
                    return 0;
                }

                _current = await _pieces.Reader.ReadAsync(cancellationToken);
                _offset = 0;
            }

            var n = Math.Min(buffer.Length, _current.Length - _offset);
            _current.AsMemory(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
