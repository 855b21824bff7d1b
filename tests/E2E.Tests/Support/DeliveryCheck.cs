using System.Globalization;

namespace DataCluster.E2E.Tests.Support;

/// <summary>
/// One leader's delivery of one partition: the batches one member sent in one partition epoch.
/// </summary>
/// <param name="Partition">The partition.</param>
/// <param name="Member">The delivering member.</param>
/// <param name="Epoch">Its partition epoch.</param>
/// <param name="Batches">Batches taken in this stretch.</param>
/// <param name="FirstOffset">The first event offset it delivered.</param>
/// <param name="HighestBefore">The highest offset of the partition any app had taken before its first batch; -1 when none.</param>
/// <param name="Floor">
/// The highest consumed offset the delivering member's own copy was seen at before its first
/// batch; 0 when it was never sampled. It may not deliver below it: that would repeat what its
/// own copy already counted consumed.
/// </param>
/// <param name="Repeated">Events of this stretch the apps had already taken (each offset counted once).</param>
/// <param name="UnconsumedTail">
/// Offsets the apps had already taken at or above <see cref="Floor"/> when the stretch began: the
/// most it may repeat (taken, but not yet known consumed to the new leader).
/// </param>
/// <param name="ClusterFloor">The highest consumed offset any member's copy was seen at before its first batch: how far the cluster knew the partition consumed.</param>
/// <param name="RepeatedKnownConsumed">Repeated events below <see cref="ClusterFloor"/>: consumed by the cluster's knowledge, but not in the new leader's copy.</param>
internal sealed record DeliveryStretch(int Partition, string Member, long Epoch, int Batches, long FirstOffset, long HighestBefore, long Floor, int Repeated, int UnconsumedTail, long ClusterFloor, int RepeatedKnownConsumed)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"p{Partition} {Member}@{Epoch}: from {FirstOffset} (taken up to {HighestBefore}, own consumed copy seen at {Floor}, highest copy of any member {ClusterFloor}), {Repeated} repeated of a tail of {UnconsumedTail}, {RepeatedKnownConsumed} of them below the highest copy");
}

/// <summary>What the apps received against what was acknowledged; see <see cref="DeliveryCheck"/>.</summary>
internal sealed record DeliveryCheckResult(
    int Acknowledged,
    int Distinct,
    int Received,
    int Batches,
    IReadOnlyList<(int Partition, long Offset)> Missing,
    IReadOnlyList<string> OutOfOrder,
    IReadOnlyList<DeliveryStretch> Stretches)
{
    /// <summary>Events received beyond the first receipt of each.</summary>
    public int Duplicates => Received - Distinct;

    /// <summary>Stretches (after a partition's first) that repeated events: each is a leader move that re-delivered a tail.</summary>
    public IReadOnlyList<DeliveryStretch> Moves => [.. Stretches.Where(s => s.HighestBefore >= 0)];

    /// <summary>Stretches that started below a consumed offset their member's copy already had.</summary>
    public IReadOnlyList<DeliveryStretch> BelowFloor => [.. Stretches.Where(s => s.FirstOffset < s.Floor)];

    public bool Ok => Missing.Count == 0 && OutOfOrder.Count == 0 && BelowFloor.Count == 0 && Stretches.All(s => s.Repeated <= s.UnconsumedTail);

    public override string ToString()
    {
        var moves = Moves;
        var repeating = moves.Where(m => m.Repeated > 0).ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"{Acknowledged} acknowledged events, {Distinct} distinct events received in {Batches} batches, {Duplicates} received again; " +
            $"{Missing.Count} acknowledged missing, {OutOfOrder.Count} out of order; {Stretches.Count} leader stretches, {moves.Count} after a move, " +
            $"{repeating.Count} of them repeating (most {(repeating.Count > 0 ? repeating.Max(m => m.Repeated) : 0)} events; unconsumed tail at the moves: {moves.Sum(m => m.UnconsumedTail)} events in all, most {(moves.Count > 0 ? moves.Max(m => m.UnconsumedTail) : 0)}); " +
            $"{BelowFloor.Count} stretches started below their member's consumed offset; {moves.Sum(m => m.RepeatedKnownConsumed)} repeats were below a consumed offset another member's copy already had");
    }
}

/// <summary>
/// Checks push delivery as an app sees it, at least once and in offset order, from the batches
/// every app took in arrival order:
/// <list type="bullet">
/// <item>every acknowledged event was taken by some app;</item>
/// <item>per partition, over the concatenation of what the apps took, the first receipt of each
/// offset comes in increasing offset order;</item>
/// <item>one leader's stretch never repeats itself (each of its batches goes past the last);</item>
/// <item>a new leader re-delivers only a tail that was not yet consumed in its own copy: its first
/// offset is at or above every consumed offset its copy was seen at before, so what it repeats is
/// bounded by what the apps took at or above that offset (<see cref="DeliveryStretch.UnconsumedTail"/>).</item>
/// </list>
/// </summary>
internal static class DeliveryCheck
{
    public static DeliveryCheckResult Check(IReadOnlyCollection<(int Partition, long Offset)> acknowledged, IEnumerable<DeliveredBatch> taken, IEnumerable<ConsumedSample> consumed)
    {
        var batches = taken.OrderBy(b => b.Arrival).ToList();
        var all = consumed.ToList();
        var samples = all.ToLookup(s => (s.Member, s.Partition));
        var byPartition = all.ToLookup(s => s.Partition);
        var received = batches.SelectMany(b => b.Offsets.Select(o => (b.Partition, o))).ToHashSet();
        var missing = acknowledged.Where(a => !received.Contains(a)).OrderBy(a => a).ToList();
        var outOfOrder = new List<string>();
        var stretches = new List<DeliveryStretch>();

        foreach (var partition in batches.GroupBy(b => b.Partition).OrderBy(g => g.Key))
        {
            var seen = new SortedSet<long>();
            var highest = -1L;
            var open = new Dictionary<(string Member, long Epoch), StretchBuilder>();
            foreach (var batch in partition)
            {
                if (!open.TryGetValue((batch.Member, batch.Epoch), out var stretch))
                {
                    var floor = samples[(batch.Member, batch.Partition)].Where(s => s.At < batch.At).Select(s => s.Consumed).DefaultIfEmpty(0).Max();
                    var tail = highest < floor ? 0 : seen.GetViewBetween(floor, highest).Count;
                    var clusterFloor = byPartition[batch.Partition].Where(s => s.At < batch.At).Select(s => s.Consumed).DefaultIfEmpty(0).Max();
                    open[(batch.Member, batch.Epoch)] = stretch = new StretchBuilder(batch.Member, batch.Epoch, batch.Offsets.FirstOrDefault(-1), highest, floor, tail, clusterFloor);
                }

                stretch.Batches++;
                foreach (var offset in batch.Offsets)
                {
                    if (offset <= stretch.Last)
                    {
                        outOfOrder.Add($"partition {partition.Key}: {batch.Member} (epoch {batch.Epoch}) sent offset {offset} again after {stretch.Last} in its own stretch");
                    }

                    stretch.Last = Math.Max(stretch.Last, offset);
                    if (!seen.Add(offset))
                    {
                        stretch.Repeated++;
                        if (offset < stretch.ClusterFloor)
                        {
                            stretch.RepeatedKnownConsumed++;
                        }

                        continue;
                    }

                    if (offset < highest)
                    {
                        outOfOrder.Add($"partition {partition.Key}: offset {offset} first arrived after offset {highest} (from {batch.Member}, epoch {batch.Epoch})");
                    }

                    highest = Math.Max(highest, offset);
                }
            }

            stretches.AddRange(open.Values.Select(s => new DeliveryStretch(partition.Key, s.Member, s.Epoch, s.Batches, s.FirstOffset, s.HighestBefore, s.Floor, s.Repeated, s.Tail, s.ClusterFloor, s.RepeatedKnownConsumed)));
        }

        return new DeliveryCheckResult(acknowledged.Count, received.Count, batches.Sum(b => b.Offsets.Length), batches.Count, missing, outOfOrder, stretches);
    }

    private sealed class StretchBuilder(string member, long epoch, long firstOffset, long highestBefore, long floor, int tail, long clusterFloor)
    {
        public long ClusterFloor { get; } = clusterFloor;

        public string Member { get; } = member;

        public long Epoch { get; } = epoch;

        public long FirstOffset { get; } = firstOffset;

        public long HighestBefore { get; } = highestBefore;

        public long Floor { get; } = floor;

        public int Tail { get; } = tail;

        public int Batches { get; set; }

        public int Repeated { get; set; }

        public int RepeatedKnownConsumed { get; set; }

        public long Last { get; set; } = -1;
    }
}
