using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Controllers;

/// <summary>
/// Where a <see cref="Controller"/> learns about changes to one kind: an informer, or several
/// (one per watched namespace) behind <see cref="InformerSet{T}"/>.
/// </summary>
/// <remarks>
/// Handlers are added before the source runs and are then called as <see cref="IInformerHandler{T}"/>
/// describes: one at a time, after the cache reflects the change. <see cref="WaitForSyncAsync"/>
/// completes once the initial state has been delivered to every handler.
/// </remarks>
public interface IEventSource<T>
    where T : class, IKubernetesObject
{
    /// <summary>The kind, for logs.</summary>
    string Description { get; }

    void AddHandler(IInformerHandler<T> handler);

    Task WaitForSyncAsync(CancellationToken cancellationToken);
}
