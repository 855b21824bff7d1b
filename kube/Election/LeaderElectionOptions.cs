namespace DataCluster.Kube.Election;

/// <summary>
/// Timing and identity of a <see cref="LeaderElector"/>. The defaults are client-go's
/// (15 s / 10 s / 2 s), which every Kubernetes controller uses, so our failover behaves the
/// way operators already expect.
/// </summary>
public sealed record LeaderElectionOptions
{
    /// <summary>Namespace of the Lease.</summary>
    public required string LeaseNamespace { get; init; }

    /// <summary>Name of the Lease.</summary>
    public required string LeaseName { get; init; }

    /// <summary>This candidate's unique name, e.g. the pod name. Two candidates must never share one.</summary>
    public required string Identity { get; init; }

    /// <summary>
    /// How long others wait, after they last saw the lease change, before taking it. 15 s: the
    /// longest a crashed leader leaves the role empty; long enough to ride out a slow API
    /// server or a GC pause without a spurious failover.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The leader steps down when it has not renewed for this long. 10 s: shorter than
    /// <see cref="LeaseDuration"/> by a margin (5 s) for clock-rate differences and request
    /// latency, so the old leader stops acting before anyone else can start.
    /// </summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Pause between attempts to acquire or renew. 2 s: several renew attempts fit in the
    /// renew deadline, while the write load on the API server stays at one request per
    /// candidate every 2 s.
    /// </summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Candidates wait <see cref="RetryPeriod"/> times a random factor in [1, 1 + this) between
    /// acquire attempts so that candidates started together do not poll in lock-step. 0.2
    /// rather than client-go's 1.2: it keeps failover after a crash within
    /// LeaseDuration + 1.2 × RetryPeriod.
    /// </summary>
    public double JitterFactor { get; init; } = 0.2;

    /// <summary>
    /// On a graceful stop (cancellation), write an empty holder with a 1 s duration so another
    /// candidate takes over at its next attempt instead of waiting for the lease to expire.
    /// Only safe when the work guarded by the lease has stopped by then.
    /// </summary>
    public bool ReleaseOnCancel { get; init; } = true;

    /// <summary>Throws with a message saying how to fix the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(LeaseNamespace) || string.IsNullOrWhiteSpace(LeaseName))
        {
            throw new ArgumentException("Leader election needs LeaseNamespace and LeaseName.");
        }

        if (string.IsNullOrWhiteSpace(Identity))
        {
            throw new ArgumentException("Leader election needs a unique Identity, e.g. the pod name.");
        }

        if (RetryPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException($"RetryPeriod must be positive; it is {RetryPeriod}.");
        }

        if (RenewDeadline <= RetryPeriod * (1 + JitterFactor))
        {
            throw new ArgumentException($"RenewDeadline ({RenewDeadline}) must exceed RetryPeriod × (1 + JitterFactor) ({RetryPeriod * (1 + JitterFactor)}) so a renew can be retried.");
        }

        if (LeaseDuration <= RenewDeadline)
        {
            throw new ArgumentException($"LeaseDuration ({LeaseDuration}) must exceed RenewDeadline ({RenewDeadline}), or others could acquire while the leader still acts.");
        }

        if (LeaseDuration.TotalSeconds != Math.Floor(LeaseDuration.TotalSeconds))
        {
            throw new ArgumentException($"LeaseDuration ({LeaseDuration}) must be whole seconds: the Lease stores leaseDurationSeconds.");
        }

        if (JitterFactor < 0)
        {
            throw new ArgumentException($"JitterFactor must not be negative; it is {JitterFactor}.");
        }
    }
}
