using DataCluster.Replication.Messages;
using DataCluster.Storage;
using Google.Protobuf;
using Google.Protobuf.Collections;
using W = DataCluster.Agent.Peers.Wire;

namespace DataCluster.Agent.Peers;

/// <summary>A peer sent something this member cannot read: a message without a body, an unknown enum value, a batch without a sender.</summary>
public sealed class PeerProtocolException(string message) : Exception(message);

/// <summary>
/// Maps the replication messages to the wire schema (<c>peer.proto</c>) and back.
/// </summary>
/// <remarks>
/// <para>Stateless and thread-safe.</para>
/// <para>Record keys and bodies are not copied on the way out: the wire message wraps the
/// record's memory (<see cref="UnsafeByteOperations.UnsafeWrap"/>), which is safe because
/// <see cref="LogRecord"/> is immutable and its memory is never reused. On the way in, the
/// protobuf parser copies each bytes field out of the network buffer once, and the decoded
/// record keeps that copy (<see cref="ByteString.Memory"/>) without another.</para>
/// <para>Decoding never guesses: an enum value or a record kind this version does not know is a
/// <see cref="PeerProtocolException"/>. A whole message of a type it does not know (a newer
/// peer's, during a rolling update) is left out of its batch and counted instead: the protocol
/// already survives a lost message, while refusing the batch would lose every other message in
/// it and close the stream, again for every batch that carries one.</para>
/// </remarks>
internal static class PeerCodec
{
    /// <summary>One wire batch holding every item of <paramref name="message"/>.</summary>
    public static W.PeerBatch Encode(string from, PeerMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var batch = new W.PeerBatch { From = from };
        foreach (var item in message.Items)
        {
            batch.Items.Add(Encode(item));
        }

        return batch;
    }

    /// <summary>The sender and messages of a wire batch, without the messages of a type this version does not know.</summary>
    /// <param name="unknown">How many messages were left out because their type is unknown here.</param>
    /// <exception cref="PeerProtocolException">The batch names no sender or holds an item this version cannot read.</exception>
    public static InboundMessage Decode(W.PeerBatch batch, out int unknown)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.From.Length == 0)
        {
            throw new PeerProtocolException("a peer batch names no sender");
        }

        var items = new PartitionMessage[batch.Items.Count];
        var next = 0;
        foreach (var item in batch.Items)
        {
            if (item.BodyCase != W.PartitionMessage.BodyOneofCase.None)
            {
                items[next++] = Decode(item);
            }
        }

        unknown = items.Length - next;
        if (unknown > 0)
        {
            Array.Resize(ref items, next);
        }

        return new InboundMessage(batch.From, new PeerMessage(items));
    }

    public static W.PartitionMessage Encode(PartitionMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var wire = new W.PartitionMessage { Partition = message.Partition, Term = message.Term };
        switch (message)
        {
            case Prepare prepare:
                wire.Prepare = new W.Prepare();
                wire.Prepare.Replicas.AddRange(prepare.Replicas);
                break;
            case Promise promise:
                var p = new W.Promise
                {
                    PriorTerm = promise.PriorTerm,
                    LastTerm = promise.LastTerm,
                    StartOffset = promise.StartOffset,
                    NextOffset = promise.NextOffset,
                    ConsumedOffset = promise.ConsumedOffset,
                };
                p.PriorReplicas.AddRange(promise.PriorReplicas);
                p.LastTermReplicas.AddRange(promise.LastTermReplicas);
                AddTerms(p.Terms, promise.Terms);
                foreach (var set in promise.EarlierReplicaSets)
                {
                    var wireSet = new W.ReplicaSet();
                    wireSet.Members.AddRange(set);
                    p.EarlierReplicaSets.Add(wireSet);
                }

                wire.Promise = p;
                break;
            case Refusal refusal:
                wire.Refusal = new W.Refusal
                {
                    Reason = refusal.Reason switch
                    {
                        RefusalReason.StaleTerm => W.RefusalReason.StaleTerm,
                        RefusalReason.NotPrepared => W.RefusalReason.NotPrepared,
                        _ => throw new ArgumentOutOfRangeException(nameof(message), refusal.Reason, "a refusal reason the wire schema lacks"),
                    },
                    PromisedTerm = refusal.PromisedTerm,
                };
                if (refusal.PromisedTo is { } promisedTo)
                {
                    wire.Refusal.PromisedTo = promisedTo;
                }

                break;
            case Append append:
                var a = new W.Append
                {
                    PrevOffset = append.PrevOffset,
                    PrevTerm = append.PrevTerm,
                    CommitOffset = append.CommitOffset,
                    ResetStart = append.ResetStart,
                    ConsumedOffset = append.ConsumedOffset,
                };
                AddRecords(a.Records, append.Records);
                wire.Append = a;
                break;
            case AppendAck ack:
                wire.AppendAck = new W.AppendAck { MatchedOffset = ack.MatchedOffset, CommitOffset = ack.CommitOffset, ConsumedOffset = ack.ConsumedOffset };
                break;
            case AppendMismatch mismatch:
                var m = new W.AppendMismatch { StartOffset = mismatch.StartOffset, NextOffset = mismatch.NextOffset };
                AddTerms(m.Terms, mismatch.Terms);
                wire.AppendMismatch = m;
                break;
            case Heartbeat heartbeat:
                wire.Heartbeat = new W.Heartbeat { CommitOffset = heartbeat.CommitOffset, ConsumedOffset = heartbeat.ConsumedOffset };
                break;
            case NodePing ping:
                wire.NodePing = new W.NodePing { Incarnation = ping.Incarnation };
                break;
            case Fetch fetch:
                wire.Fetch = new W.Fetch { FromOffset = fetch.FromOffset };
                break;
            case Release:
                wire.Release = new W.Release();
                break;
            case ReleaseAck:
                wire.ReleaseAck = new W.ReleaseAck();
                break;
            case FetchReply reply:
                var r = new W.FetchReply
                {
                    FromOffset = reply.FromOffset,
                    StartOffset = reply.StartOffset,
                    TermBefore = reply.TermBefore,
                    NextOffset = reply.NextOffset,
                };
                AddRecords(r.Records, reply.Records);
                wire.FetchReply = r;
                break;
            default:
                throw new ArgumentException($"{message.GetType().Name} has no wire form; add it to peer.proto and {nameof(PeerCodec)}", nameof(message));
        }

        return wire;
    }

    /// <exception cref="PeerProtocolException">The item has no body or holds a value this version does not know.</exception>
    public static PartitionMessage Decode(W.PartitionMessage wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        int partition = wire.Partition;
        long term = wire.Term;
        switch (wire.BodyCase)
        {
            case W.PartitionMessage.BodyOneofCase.Prepare:
                return new Prepare(partition, term, [.. wire.Prepare.Replicas]);
            case W.PartitionMessage.BodyOneofCase.Promise:
                var p = wire.Promise;
                var earlier = new IReadOnlyList<string>[p.EarlierReplicaSets.Count];
                for (var i = 0; i < earlier.Length; i++)
                {
                    earlier[i] = [.. p.EarlierReplicaSets[i].Members];
                }

                return new Promise(partition, term, p.PriorTerm, [.. p.PriorReplicas], p.LastTerm, [.. p.LastTermReplicas], p.StartOffset, p.NextOffset, Terms(p.Terms), earlier, p.ConsumedOffset);
            case W.PartitionMessage.BodyOneofCase.Refusal:
                var refusal = wire.Refusal;
                var reason = refusal.Reason switch
                {
                    W.RefusalReason.StaleTerm => RefusalReason.StaleTerm,
                    W.RefusalReason.NotPrepared => RefusalReason.NotPrepared,
                    var other => throw new PeerProtocolException($"partition {partition}: unknown refusal reason {(int)other}"),
                };
                return new Refusal(partition, term, reason, refusal.PromisedTerm, refusal.HasPromisedTo ? refusal.PromisedTo : null);
            case W.PartitionMessage.BodyOneofCase.Append:
                var a = wire.Append;
                return new Append(partition, term, a.PrevOffset, a.PrevTerm, Records(partition, a.Records), a.CommitOffset, a.ResetStart, a.ConsumedOffset);
            case W.PartitionMessage.BodyOneofCase.AppendAck:
                return new AppendAck(partition, term, wire.AppendAck.MatchedOffset, wire.AppendAck.CommitOffset, wire.AppendAck.ConsumedOffset);
            case W.PartitionMessage.BodyOneofCase.AppendMismatch:
                var m = wire.AppendMismatch;
                return new AppendMismatch(partition, term, m.StartOffset, m.NextOffset, Terms(m.Terms));
            case W.PartitionMessage.BodyOneofCase.Heartbeat:
                return new Heartbeat(partition, term, wire.Heartbeat.CommitOffset, wire.Heartbeat.ConsumedOffset);
            case W.PartitionMessage.BodyOneofCase.NodePing:
                return new NodePing(wire.NodePing.Incarnation);
            case W.PartitionMessage.BodyOneofCase.Fetch:
                return new Fetch(partition, term, wire.Fetch.FromOffset);
            case W.PartitionMessage.BodyOneofCase.Release:
                return new Release(partition, term);
            case W.PartitionMessage.BodyOneofCase.ReleaseAck:
                return new ReleaseAck(partition, term);
            case W.PartitionMessage.BodyOneofCase.FetchReply:
                var r = wire.FetchReply;
                return new FetchReply(partition, term, r.FromOffset, r.StartOffset, r.TermBefore, Records(partition, r.Records), r.NextOffset);
            case W.PartitionMessage.BodyOneofCase.None:
                // A newer peer's message type arrives as an unknown field, leaving no body set.
                throw new PeerProtocolException($"partition {partition}: a message of a type this agent does not know (or none); is a newer agent version sending?");
            default:
                throw new PeerProtocolException($"partition {partition}: unknown message type {wire.BodyCase}");
        }
    }

    public static W.LogRecord Encode(LogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var wire = new W.LogRecord
        {
            Offset = record.Offset,
            Term = record.Term,
            Kind = record.Kind switch
            {
                RecordKind.Data => W.RecordKind.Data,
                RecordKind.TermStart => W.RecordKind.TermStart,
                RecordKind.Control => W.RecordKind.Control,
                _ => throw new ArgumentOutOfRangeException(nameof(record), record.Kind, "a record kind the wire schema lacks"),
            },
            Timestamp = record.Timestamp,
            Key = UnsafeByteOperations.UnsafeWrap(record.Key),
            Body = UnsafeByteOperations.UnsafeWrap(record.Body),
            Sequence = record.Sequence,
        };
        if (record.ContentType is { } contentType)
        {
            wire.ContentType = contentType;
        }

        if (record.ProducerId is { } producer)
        {
            wire.ProducerId = producer;
        }

        return wire;
    }

    /// <exception cref="PeerProtocolException">The record's kind is unknown to this version.</exception>
    public static LogRecord Decode(W.LogRecord wire, int partition = -1)
    {
        ArgumentNullException.ThrowIfNull(wire);
        var kind = wire.Kind switch
        {
            W.RecordKind.Data => RecordKind.Data,
            W.RecordKind.TermStart => RecordKind.TermStart,
            W.RecordKind.Control => RecordKind.Control,
            var other => throw new PeerProtocolException($"partition {partition}, offset {wire.Offset}: unknown record kind {(int)other}"),
        };
        return new LogRecord(
            wire.Offset,
            wire.Term,
            kind,
            wire.Timestamp,
            wire.Key.Memory,
            wire.HasContentType ? wire.ContentType : null,
            wire.Body.Memory,
            wire.HasProducerId ? wire.ProducerId : null,
            wire.Sequence);
    }

    private static void AddTerms(RepeatedField<W.TermStart> into, IReadOnlyList<TermStart> terms)
    {
        foreach (var term in terms)
        {
            into.Add(new W.TermStart { Term = term.Term, StartOffset = term.StartOffset });
        }
    }

    private static TermStart[] Terms(RepeatedField<W.TermStart> wire)
    {
        var terms = new TermStart[wire.Count];
        for (var i = 0; i < terms.Length; i++)
        {
            terms[i] = new TermStart(wire[i].Term, wire[i].StartOffset);
        }

        return terms;
    }

    private static void AddRecords(RepeatedField<W.LogRecord> into, IReadOnlyList<LogRecord> records)
    {
        foreach (var record in records)
        {
            into.Add(Encode(record));
        }
    }

    private static LogRecord[] Records(int partition, RepeatedField<W.LogRecord> wire)
    {
        var records = new LogRecord[wire.Count];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = Decode(wire[i], partition);
        }

        return records;
    }
}
