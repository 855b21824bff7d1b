namespace DataCluster.Kube.Controllers;

/// <summary>The object a reconcile is about: a namespace (empty for cluster-scoped kinds) and a name.</summary>
public sealed record ReconcileRequest(string Namespace, string Name)
{
    public override string ToString() => Namespace.Length == 0 ? Name : $"{Namespace}/{Name}";
}

/// <summary>
/// What a reconcile asks of the controller when it succeeds.
/// </summary>
/// <param name="RequeueAfter">
/// Reconcile the object again after this long even if nothing changes (for time-driven state
/// such as a lease that expires); null when only a change should trigger the next reconcile.
/// </param>
public sealed record ReconcileResult(TimeSpan? RequeueAfter = null)
{
    /// <summary>Converged; wait for the next change.</summary>
    public static ReconcileResult Done { get; } = new();

    /// <summary>Look again after <paramref name="delay"/>.</summary>
    public static ReconcileResult After(TimeSpan delay) => new(delay);
}

/// <summary>
/// Level-based reconciliation of one kind: reads the current state of the world for the
/// requested object, converges it toward the desired state, and reports when to look again.
/// </summary>
/// <remarks>
/// <para>
/// The controller never calls <see cref="ReconcileAsync"/> for the same request on two workers
/// at once, but calls for different requests run concurrently, so implementations must be
/// thread-safe across objects. A call must not depend on why it was made (which event, or
/// whether it is a retry): it reads everything it needs.
/// </para>
/// <para>
/// Throwing counts as a failure: the controller logs it and retries the request with
/// per-object exponential backoff. Returning counts as success and resets that backoff.
/// </para>
/// </remarks>
public interface IReconciler
{
    Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken cancellationToken);
}
