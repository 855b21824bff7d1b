namespace DataCluster.Agent.Delivery;

/// <summary>How committed events are pushed to the local app. Immutable.</summary>
public sealed record AppDeliveryOptions
{
    /// <summary>The app's URL that takes a POST per batch (<c>DATACLUSTER_APP_DELIVERY_URL</c>).</summary>
    public required Uri Url { get; init; }

    /// <summary>
    /// Partitions with a batch on the wire at once. 16 keeps a local app busy without opening a
    /// connection per partition (256 by default); a partition waiting out a backoff holds none.
    /// </summary>
    public int MaxPartitionsInFlight { get; init; } = 16;

    /// <summary>Most events in one batch. 100, as a read without a limit: small enough for an app to handle in one request.</summary>
    public int MaxBatchEvents { get; init; } = 100;

    /// <summary>A batch not answered in this long failed and is sent again. 10 s: an app busy with a large batch is not a dead one.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first wait before a failed batch is sent again; doubled after each failure. 100 ms: a restarting app is back soon.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between attempts. 10 s bounds how late delivery resumes after a long outage of the app.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the partitions this member leads are looked at, to start and stop their
    /// delivery. 100 ms is how often the data plane refreshes them.
    /// </summary>
    public TimeSpan ScanInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>An idle partition looks again this often even without news of a commit (a safety net; commits wake it at once).</summary>
    public TimeSpan IdleRecheck { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Problems with these settings, each saying how to fix it; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"Url '{Url}' must be an absolute http or https URL");
        }

        if (MaxPartitionsInFlight < 1)
        {
            errors.Add($"MaxPartitionsInFlight is {MaxPartitionsInFlight}; set 1 or more");
        }

        if (MaxBatchEvents is < 1 or > Http.EventsApi.MaxLimit)
        {
            errors.Add($"MaxBatchEvents is {MaxBatchEvents}; set 1 to {Http.EventsApi.MaxLimit}");
        }

        foreach (var (name, value) in new[] { (nameof(Timeout), Timeout), (nameof(InitialBackoff), InitialBackoff), (nameof(MaxBackoff), MaxBackoff), (nameof(ScanInterval), ScanInterval), (nameof(IdleRecheck), IdleRecheck) })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{name} is {value}; set a positive duration");
            }
        }

        if (MaxBackoff < InitialBackoff)
        {
            errors.Add($"MaxBackoff ({MaxBackoff}) is below InitialBackoff ({InitialBackoff}); raise it");
        }

        return errors;
    }
}
