using System.Runtime.InteropServices;
using System.Text;
using DataCluster.Agent.Peers;
using DataCluster.Replication.Messages;
using DataCluster.Storage;
using Google.Protobuf;
using Xunit;
using W = DataCluster.Agent.Peers.Wire;

namespace DataCluster.Agent.Tests.Peers;

public sealed class PeerCodecTests
{
    private static readonly LogRecord DataRecord = new(
        Offset: 41, Term: (7L << 20) + 2, RecordKind.Data, Timestamp: 1_733_000_000_123,
        Key: Encoding.UTF8.GetBytes("server-7"), ContentType: "application/json", Body: Encoding.UTF8.GetBytes("{\"state\":\"DOWN\"}"),
        ProducerId: "producer-a", Sequence: 12);

    private static readonly LogRecord BareRecord = new(
        Offset: 0, Term: 1, RecordKind.TermStart, Timestamp: 0, Key: ReadOnlyMemory<byte>.Empty, ContentType: null, Body: new byte[] { 0, 255, 0 });

    private static readonly LogRecord ControlRecord = new(
        Offset: long.MaxValue, Term: long.MaxValue, RecordKind.Control, Timestamp: -1, Key: new byte[] { 0 }, ContentType: "", Body: ReadOnlyMemory<byte>.Empty, ProducerId: "", Sequence: long.MinValue);

    /// <summary>Every message type with representative values, and again with edge values.</summary>
    private static readonly Dictionary<string, PartitionMessage> Samples = new()
    {
        { "prepare", new Prepare(3, 5L << 20, ["dc-0", "dc-1", "dc-2"]) },
        { "prepare, no replicas", new Prepare(0, 0, []) },
        { "promise", new Promise(3, 5L << 20, 4L << 20, ["dc-1", "dc-0"], 4L << 20, ["dc-1", "dc-0", "dc-3"], 100, 250, [new TermStart(3L << 20, 100), new TermStart(4L << 20, 180)], [["dc-1", "dc-2"], ["dc-4"]], 97) },
        { "promise, empty log and lists", new Promise(65535, 1, 0, [], 0, [], 0, 0, [], []) },
        { "promise, an empty earlier replica set", new Promise(1, 2, 1, ["ü-member"], 1, [], -1, -1, [new TermStart(0, 0)], [[]]) },
        { "refusal, stale", new Refusal(9, 12, RefusalReason.StaleTerm, 14, "dc-2") },
        { "refusal, not prepared, promised to nobody", new Refusal(9, 12, RefusalReason.NotPrepared, 0, null) },
        { "refusal, promised to an empty id", new Refusal(9, 12, RefusalReason.NotPrepared, 0, "") },
        { "append", new Append(2, 5L << 20, 40, (5L << 20) - 1, [DataRecord, BareRecord, ControlRecord], 38, ConsumedOffset: 37) },
        { "append, empty log, no records", new Append(2, 5L << 20, -1, 0, [], 0) },
        { "append, reset", new Append(2, 5L << 20, 99, 3, [DataRecord], 100, ResetStart: 100) },
        { "append ack", new AppendAck(2, 5L << 20, 41, 37, 30) },
        { "node ping", new NodePing(-8_070_450_532_247_928_832) },
        { "append ack at zero", new AppendAck(0, 0, 0) },
        { "append mismatch", new AppendMismatch(2, 5L << 20, 10, 60, [new TermStart(1, 10), new TermStart(3, 30)]) },
        { "append mismatch, empty log", new AppendMismatch(2, 5L << 20, 0, 0, []) },
        { "heartbeat", new Heartbeat(200, 5L << 20, 1_000_000, 999_000) },
        { "heartbeat, negative partition and term", new Heartbeat(-1, -1, -1) },
        { "fetch", new Fetch(8, 5L << 20, 17) },
        { "fetch reply", new FetchReply(8, 5L << 20, 17, 20, 3, [DataRecord, ControlRecord], 42) },
        { "fetch reply, nothing held", new FetchReply(8, 5L << 20, 17, 17, 0, [], 17) },
        { "release", new Release(12, 9L << 20) },
        { "release ack", new ReleaseAck(12, 9L << 20) },
    };

    public static TheoryData<string> SampleNames() => new(Samples.Keys);

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Every_message_type_survives_the_wire_unchanged(string name)
    {
        var message = Samples[name];
        var bytes = PeerCodec.Encode("dc-0", new PeerMessage([message])).ToByteArray();
        var decoded = PeerCodec.Decode(W.PeerBatch.Parser.ParseFrom(bytes), out _);

        Assert.Equal("dc-0", decoded.From);
        var only = Assert.Single(decoded.Message.Items);
        Assert.True(Describe(message) == Describe(only), $"{name}:\n sent     {Describe(message)}\n received {Describe(only)}");
    }

    [Fact]
    public void Every_replication_message_type_has_a_sample_here()
    {
        var types = typeof(PartitionMessage).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(PartitionMessage)) && !t.IsAbstract);

        Assert.Empty(types.Except(Samples.Values.Select(m => m.GetType())));
    }

    [Fact]
    public void A_batch_keeps_its_items_in_order_and_an_empty_batch_stays_empty()
    {
        var items = Samples.Values.ToList();

        var decoded = PeerCodec.Decode(W.PeerBatch.Parser.ParseFrom(PeerCodec.Encode("dc-1", new PeerMessage(items)).ToByteArray()), out _);
        var empty = PeerCodec.Decode(W.PeerBatch.Parser.ParseFrom(PeerCodec.Encode("dc-1", new PeerMessage([])).ToByteArray()), out _);

        Assert.Equal(items.Select(Describe), decoded.Message.Items.Select(Describe));
        Assert.Empty(empty.Message.Items);
        Assert.Equal("dc-1", empty.From);
    }

    [Fact]
    public void A_large_body_round_trips_byte_for_byte()
    {
        var body = new byte[5 << 20];
        new Random(7).NextBytes(body);
        var record = DataRecord with { Body = body, Key = new byte[1024] };

        var bytes = PeerCodec.Encode("dc-0", new PeerMessage([new Append(1, 2, 40, 2, [record], 40)])).ToByteArray();
        var decoded = (Append)PeerCodec.Decode(W.PeerBatch.Parser.ParseFrom(bytes), out _).Message.Items[0];

        Assert.True(record.SameContent(decoded.Records[0]));
        Assert.InRange(bytes.Length, body.Length, body.Length + 2048);
    }

    [Fact]
    public void Sending_wraps_record_bytes_and_receiving_keeps_the_parsed_buffer_without_copies()
    {
        var key = Encoding.UTF8.GetBytes("server-7");
        var body = new byte[4096];
        var record = DataRecord with { Key = key, Body = body };

        var wire = PeerCodec.Encode(record);
        var decoded = PeerCodec.Decode(wire);

        // Out: the wire message points at the record's own arrays.
        Assert.Same(body, ArrayOf(wire.Body.Memory));
        Assert.Same(key, ArrayOf(wire.Key.Memory));
        // In: the decoded record points at the parsed message's buffers.
        Assert.Same(ArrayOf(wire.Body.Memory), ArrayOf(decoded.Body));
        var parsed = W.LogRecord.Parser.ParseFrom(wire.ToByteArray());
        Assert.Same(ArrayOf(parsed.Body.Memory), ArrayOf(PeerCodec.Decode(parsed).Body));
    }

    [Fact]
    public void Minus_one_offsets_cost_one_byte_each_on_the_wire()
    {
        var none = new W.Append { PrevOffset = -1, ResetStart = -1 };
        var record = new W.LogRecord { Sequence = -1 };

        // Tag plus one zigzag byte per field, where int64 would take ten bytes.
        Assert.Equal(4, none.CalculateSize());
        Assert.Equal(2, record.CalculateSize());
    }

    [Fact]
    public void Null_and_empty_strings_stay_distinct()
    {
        var withNulls = PeerCodec.Decode(W.LogRecord.Parser.ParseFrom(PeerCodec.Encode(BareRecord).ToByteArray()));
        var withEmpties = PeerCodec.Decode(W.LogRecord.Parser.ParseFrom(PeerCodec.Encode(ControlRecord).ToByteArray()));

        Assert.Null(withNulls.ContentType);
        Assert.Null(withNulls.ProducerId);
        Assert.Equal("", withEmpties.ContentType);
        Assert.Equal("", withEmpties.ProducerId);
    }

    [Fact]
    public void A_message_type_from_a_newer_peer_is_refused_not_guessed()
    {
        // A newer peer's message type: a oneof field number this schema lacks (field 99, empty).
        var known = new W.PartitionMessage { Partition = 4, Term = 9 }.ToByteArray();
        var unknown = known.Concat(new byte[] { 0x9A, 0x06, 0x00 }).ToArray();

        var error = Assert.Throws<PeerProtocolException>(() => PeerCodec.Decode(W.PartitionMessage.Parser.ParseFrom(unknown)));
        Assert.Contains("partition 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_leaves_out_the_messages_of_a_type_from_a_newer_peer_and_keeps_the_rest_in_order()
    {
        var batch = PeerCodec.Encode("dc-2", new PeerMessage([new Heartbeat(1, 3, 10), new Fetch(2, 3, 5)]));
        batch.Items.Insert(1, NewerPeersMessage(7));
        batch.Items.Add(NewerPeersMessage(8));

        var decoded = PeerCodec.Decode(W.PeerBatch.Parser.ParseFrom(batch.ToByteArray()), out var unknown);

        Assert.Equal(2, unknown);
        Assert.Equal("dc-2", decoded.From);
        Assert.Equal(["Heartbeat p=1 t=3 10 0", "Fetch p=2 t=3 5"], decoded.Message.Items.Select(Describe));
    }

    /// <summary>A message whose body is a oneof field this schema lacks (field 99), as a newer peer would send it.</summary>
    private static W.PartitionMessage NewerPeersMessage(int partition) =>
        W.PartitionMessage.Parser.ParseFrom([.. new W.PartitionMessage { Partition = partition, Term = 3 }.ToByteArray(), 0x9A, 0x06, 0x00]);

    [Fact]
    public void Unknown_enum_values_and_a_missing_sender_are_refused()
    {
        var kind = new W.LogRecord { Kind = (W.RecordKind)7 };
        var reason = new W.PartitionMessage { Partition = 1, Refusal = new W.Refusal { Reason = (W.RefusalReason)5 } };
        var anonymous = new W.PeerBatch();

        Assert.Contains("unknown record kind 7", Assert.Throws<PeerProtocolException>(() => PeerCodec.Decode(kind)).Message, StringComparison.Ordinal);
        Assert.Contains("unknown refusal reason 5", Assert.Throws<PeerProtocolException>(() => PeerCodec.Decode(reason)).Message, StringComparison.Ordinal);
        Assert.Throws<PeerProtocolException>(() => PeerCodec.Decode(anonymous, out _));
    }

    private static byte[] ArrayOf(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not array-backed");

    /// <summary>Every field of a message, in one line, lists and bytes spelled out.</summary>
    private static string Describe(PartitionMessage message)
    {
        static string Ids(IEnumerable<string> ids) => "[" + string.Join(",", ids.Select(id => $"'{id}'")) + "]";
        static string Terms(IEnumerable<TermStart> terms) => "[" + string.Join(",", terms.Select(t => $"{t.Term}@{t.StartOffset}")) + "]";
        static string Text(string? value) => value is null ? "null" : $"'{value}'";
        static string Record(LogRecord r) =>
            $"({r.Offset},{r.Term},{r.Kind},{r.Timestamp},{Convert.ToHexString(r.Key.Span)},{Text(r.ContentType)},{Convert.ToHexString(r.Body.Span)},{Text(r.ProducerId)},{r.Sequence})";
        static string Records(IEnumerable<LogRecord> records) => "[" + string.Join(",", records.Select(Record)) + "]";

        var head = $"{message.GetType().Name} p={message.Partition} t={message.Term}";
        return message switch
        {
            Prepare m => $"{head} {Ids(m.Replicas)}",
            Promise m => $"{head} {m.PriorTerm} {Ids(m.PriorReplicas)} {m.LastTerm} {Ids(m.LastTermReplicas)} {m.StartOffset} {m.NextOffset} {Terms(m.Terms)} [{string.Join(",", m.EarlierReplicaSets.Select(Ids))}] {m.ConsumedOffset}",
            Refusal m => $"{head} {m.Reason} {m.PromisedTerm} {Text(m.PromisedTo)}",
            Append m => $"{head} {m.PrevOffset} {m.PrevTerm} {Records(m.Records)} {m.CommitOffset} {m.ResetStart} {m.ConsumedOffset}",
            AppendAck m => $"{head} {m.MatchedOffset} {m.CommitOffset} {m.ConsumedOffset}",
            AppendMismatch m => $"{head} {m.StartOffset} {m.NextOffset} {Terms(m.Terms)}",
            Heartbeat m => $"{head} {m.CommitOffset} {m.ConsumedOffset}",
            NodePing m => $"{head} {m.Incarnation}",
            Fetch m => $"{head} {m.FromOffset}",
            Release or ReleaseAck => head,
            FetchReply m => $"{head} {m.FromOffset} {m.StartOffset} {m.TermBefore} {Records(m.Records)} {m.NextOffset}",
            _ => throw new ArgumentException($"no description for {message.GetType().Name}; add it with its codec case"),
        };
    }
}
