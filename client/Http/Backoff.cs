namespace DataCluster.Client.Http;

/// <summary>Exponential backoff with jitter, so that many clients retrying after one outage do not arrive together.</summary>
internal static class Backoff
{
    /// <summary>The wait after the <paramref name="failures"/>-th consecutive failure (from 1): min, 2 min, 4 min, ... up to max, each scaled by a random 0.5 to 1.</summary>
    public static TimeSpan Delay(int failures, TimeSpan min, TimeSpan max)
    {
        var exponent = Math.Clamp(failures - 1, 0, 20);
        var ticks = Math.Min(max.Ticks, min.Ticks * (1L << exponent));
        return TimeSpan.FromTicks((long)(ticks * (0.5 + (Random.Shared.NextDouble() / 2))));
    }
}
