using DataCluster.Replication;
using DataCluster.Storage;

namespace DataCluster.Agent.DataPlane;

/// <summary>
/// What delivery to the app asks of the loop: the committed records after the consumed offset
/// of a partition this member leads, moving the consumed offset, and waiting for more commits.
/// Each answer is taken on the loop, so it is consistent with the leadership it names.
/// </summary>
public sealed partial class DataPlane
{
    // Delivery loops waiting for a partition's commit point to pass its consumed offset; at most one per partition.
    private readonly Dictionary<int, CommitWaiter> _commitWaiters = [];

    /// <summary>
    /// Up to <paramref name="limit"/> committed data records of <paramref name="partition"/> from
    /// its consumed offset, while this member leads it in <paramref name="term"/> (0: any term);
    /// null when it does not (or the data plane is stopping).
    /// </summary>
    public async Task<DeliveryBatch?> ReadForDeliveryAsync(int partition, long term, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var done = new TaskCompletionSource<DeliveryBatch?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!await EnqueueAsync(new DeliveryReadInput(partition, term, limit, done), cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records that the app consumed every data record of <paramref name="partition"/> below
    /// <paramref name="offset"/> (see <see cref="ReplicaNode.Consume"/>); <paramref name="term"/>
    /// 0 accepts it in any term this member leads.
    /// </summary>
    public async Task<ConsumeResult> ConsumeAsync(int partition, long offset, long term, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<ConsumeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!await EnqueueAsync(new ConsumeInput(partition, offset, term, done), cancellationToken).ConfigureAwait(false))
        {
            return new ConsumeResult(ConsumeStatus.NotLeader, 0, 0, null);
        }

        return await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Completes true once the commit point of <paramref name="partition"/> passes
    /// <paramref name="consumed"/>, false once this member no longer leads it in
    /// <paramref name="term"/>, or true after <paramref name="timeout"/> (the caller looks again).
    /// </summary>
    public async Task<bool> WaitForCommitAsync(int partition, long term, long consumed, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!await EnqueueAsync(new CommitWaitInput(partition, new CommitWaiter(term, consumed, done)), cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            return await done.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    /// <summary>Applies a delivery input; false when <paramref name="input"/> is not one.</summary>
    private bool ApplyDelivery(ReplicaNode node, Input input)
    {
        switch (input)
        {
            case DeliveryReadInput read:
                read.Done.TrySetResult(ReadForDelivery(node, read));
                return true;
            case ConsumeInput consume:
                consume.Done.TrySetResult(node.Consume(consume.Partition, consume.Offset, consume.Term));
                return true;
            case CommitWaitInput wait:
                if (_commitWaiters.Remove(wait.Partition, out var replaced))
                {
                    replaced.Done.TrySetResult(true);
                }

                _commitWaiters[wait.Partition] = wait.Waiter;
                return true;
            default:
                return false;
        }
    }

    private DeliveryBatch? ReadForDelivery(ReplicaNode node, DeliveryReadInput input)
    {
        if (node.DeliveryPosition(input.Partition) is not { } position || (input.Term != 0 && input.Term != position.Term))
        {
            return null;
        }

        if (position.CommitOffset <= position.ConsumedOffset)
        {
            return new DeliveryBatch(input.Partition, position.Term, position.ConsumedOffset, position.ConsumedOffset, position.CommitOffset, []);
        }

        if (Read(node, new ReadInput(input.Partition, position.ConsumedOffset - 1, input.Limit, null, false, null!)) is not { } read)
        {
            return null;
        }

        return new DeliveryBatch(input.Partition, position.Term, position.ConsumedOffset, Math.Max(position.ConsumedOffset, read.NextAfter + 1), read.CommitOffset, read.Records);
    }

    /// <summary>After each batch: wakes the delivery loops whose partition committed more, or that lost its leadership.</summary>
    private void WakeCommitWaiters(ReplicaNode node)
    {
        if (_commitWaiters.Count == 0)
        {
            return;
        }

        List<int>? woken = null;
        foreach (var (partition, waiter) in _commitWaiters)
        {
            var position = node.DeliveryPosition(partition);
            if (position is not { } p || p.Term != waiter.Term)
            {
                waiter.Done.TrySetResult(false);
            }
            else if (p.CommitOffset > waiter.Consumed && p.CommitOffset > p.ConsumedOffset)
            {
                waiter.Done.TrySetResult(true);
            }
            else if (!waiter.Done.Task.IsCompleted)
            {
                continue;
            }

            (woken ??= []).Add(partition);
        }

        foreach (var partition in woken ?? [])
        {
            _commitWaiters.Remove(partition);
        }
    }

    private void FailCommitWaiters()
    {
        foreach (var waiter in _commitWaiters.Values)
        {
            waiter.Done.TrySetResult(false);
        }

        _commitWaiters.Clear();
    }

    private sealed record DeliveryReadInput(int Partition, long Term, int Limit, TaskCompletionSource<DeliveryBatch?> Done) : Input;

    private sealed record ConsumeInput(int Partition, long Offset, long Term, TaskCompletionSource<ConsumeResult> Done) : Input;

    private sealed record CommitWaitInput(int Partition, CommitWaiter Waiter) : Input;

    private sealed record CommitWaiter(long Term, long Consumed, TaskCompletionSource<bool> Done);
}

/// <summary>Committed events of a partition to deliver, from its consumed offset.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Term">The term this member leads it in (the batch's partition epoch).</param>
/// <param name="FromOffset">The consumed offset the batch starts at.</param>
/// <param name="NextOffset">The consumed offset once the batch is consumed: one past the last record examined (control records are skipped but counted).</param>
/// <param name="CommitOffset">The commit point when the batch was read.</param>
/// <param name="Records">The data records, in offset order; may be empty when only control records were examined.</param>
public sealed record DeliveryBatch(int Partition, long Term, long FromOffset, long NextOffset, long CommitOffset, IReadOnlyList<LogRecord> Records);
