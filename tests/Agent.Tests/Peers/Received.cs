using System.Threading.Channels;
using DataCluster.Agent.Peers;
using DataCluster.Replication.Messages;

namespace DataCluster.Agent.Tests.Peers;

/// <summary>Drains a transport's inbound messages in the background, as the replication loop would, and keeps every item with its sender.</summary>
internal sealed class Received
{
    private readonly List<(string From, PartitionMessage Item)> _items = [];

    public Received(ChannelReader<InboundMessage> inbound)
    {
        // Ends when the transport completes its inbound queue or the test ends.
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var message in inbound.ReadAllAsync(Xunit.TestContext.Current.CancellationToken))
                {
                    lock (_items)
                    {
                        _items.AddRange(message.Message.Items.Select(item => (message.From, item)));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    public IReadOnlyList<(string From, PartitionMessage Item)> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }

    /// <summary>The commit offsets of the heartbeats from <paramref name="from"/> for <paramref name="partition"/>, in arrival order.</summary>
    public IReadOnlyList<long> Heartbeats(string from, int partition) =>
        [.. Items.Where(i => i.From == from && i.Item.Partition == partition && i.Item is Heartbeat).Select(i => ((Heartbeat)i.Item).CommitOffset)];

    public override string ToString() => $"{Count} items received";
}
