namespace DataCluster.Replication;

/// <summary>
/// How terms are numbered. A term is a 64-bit number whose high bits are the assignment epoch its
/// leader acts on and whose low <see cref="AttemptBits"/> bits count that leader's attempts in the
/// epoch. Only the first replica of a partition in an assignment tries to lead it, so two leaders
/// never share a term even when their replica sets have no majority in common, and any leader
/// acting on a newer assignment outranks every leader acting on an older one.
/// </summary>
/// <remarks>Pure functions; thread-safe.</remarks>
public static class TermNumbers
{
    /// <summary>Bits for attempts within one epoch: a million restarts of one leader in one epoch is far beyond any real run.</summary>
    public const int AttemptBits = 20;

    /// <summary>The highest epoch a term can carry.</summary>
    public const long MaxEpoch = (1L << (63 - AttemptBits)) - 1;

    /// <summary>The assignment epoch a term belongs to.</summary>
    public static long EpochOf(long term) => term >> AttemptBits;

    /// <summary>The attempt number of a term within its epoch.</summary>
    public static long AttemptOf(long term) => term & ((1L << AttemptBits) - 1);

    /// <summary>The first term of <paramref name="epoch"/>.</summary>
    public static long First(long epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(epoch, MaxEpoch);
        return epoch << AttemptBits;
    }

    /// <summary>
    /// The term a member acting on <paramref name="epoch"/> tries next: one more than
    /// <paramref name="highestSeen"/>, and at least the epoch's first term. Null when that would
    /// leave the epoch: a leader of a newer assignment exists (the member is stale) or the attempts
    /// ran out; the member then waits for a newer assignment.
    /// </summary>
    public static long? Next(long highestSeen, long epoch)
    {
        var candidate = Math.Max(highestSeen + 1, First(epoch));
        return EpochOf(candidate) == epoch ? candidate : null;
    }
}
