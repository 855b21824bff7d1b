using DataCluster.Kube.Models;

namespace DataCluster.Kube.Informers;

/// <summary>
/// Receives an informer's changes. Calls come one at a time, in the order the informer applied
/// them, on the informer's own loop, after the cache already reflects the change. Handlers must
/// be quick and must not block (enqueue a key on a work queue and return): while one runs, the
/// informer reads no further events. The objects are the cache's: do not modify them.
/// </summary>
public interface IInformerHandler<in T>
    where T : class, IKubernetesObject
{
    void OnAdd(T obj);

    void OnUpdate(T oldObj, T newObj);

    /// <summary><paramref name="obj"/> is the last state known (from the watch, or from the cache when a relist found it gone).</summary>
    void OnDelete(T obj);
}

/// <summary>An <see cref="IInformerHandler{T}"/> made of delegates; unset ones ignore the change.</summary>
public sealed class InformerHandler<T>(Action<T>? onAdd = null, Action<T, T>? onUpdate = null, Action<T>? onDelete = null) : IInformerHandler<T>
    where T : class, IKubernetesObject
{
    public void OnAdd(T obj) => onAdd?.Invoke(obj);

    public void OnUpdate(T oldObj, T newObj) => onUpdate?.Invoke(oldObj, newObj);

    public void OnDelete(T obj) => onDelete?.Invoke(obj);
}
