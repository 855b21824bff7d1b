using DataCluster.Kube;
using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;
using DataCluster.Kube.Selectors;

namespace DataCluster.Operator.Tests.InMemory;

/// <summary>
/// An informer cache of one kind over an <see cref="InMemoryStore"/>: what the store's cache view
/// holds, filtered by the informer's label selector as a real informer's list and watch are.
/// </summary>
/// <remarks>Keeps the <see cref="IKubeCacheReader{T}"/> contract, except that every call hands out fresh copies. Not thread-safe, like the store.</remarks>
internal sealed class InMemoryCache<T>(InMemoryStore store, ResourceType<T> type, string? informerSelector = null) : IKubeCacheReader<T>
    where T : class, IKubernetesObject
{
    private readonly LabelSelectorExpression _informerSelector = LabelSelectorExpression.Parse(informerSelector);

    public ResourceType<T> Type => type;

    public T? Get(string? @namespace, string name)
    {
        var found = store.CachedGet(InMemoryStore.KindOf(type), type.Namespaced ? @namespace : null, name);
        var obj = found is null ? null : InMemoryStore.Read(type, found);
        return obj is not null && _informerSelector.Matches(obj.Metadata.Labels) ? obj : null;
    }

    public IReadOnlyList<T> List(string? @namespace = null, string? labelSelector = null)
    {
        var selector = LabelSelectorExpression.Parse(labelSelector);
        return
        [
            .. store.CachedList(InMemoryStore.KindOf(type))
                .Select(o => InMemoryStore.Read(type, o))
                .Where(o => _informerSelector.Matches(o.Metadata.Labels)
                    && (@namespace is null || !type.Namespaced || o.Metadata.Namespace == @namespace)
                    && selector.Matches(o.Metadata.Labels)),
        ];
    }
}
