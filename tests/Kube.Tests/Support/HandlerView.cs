using System.Collections.Concurrent;
using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Tests.Support;

/// <summary>What an informer's handlers were told, folded into name -> resourceVersion, to compare with the server.</summary>
internal sealed class HandlerView<T> : IInformerHandler<T>
    where T : class, IKubernetesObject
{
    private readonly ConcurrentDictionary<string, string> _view = new();
    private int _adds;
    private int _updates;
    private int _deletes;

    public int Adds => Volatile.Read(ref _adds);

    public int Updates => Volatile.Read(ref _updates);

    public int Deletes => Volatile.Read(ref _deletes);

    public void OnAdd(T obj)
    {
        Interlocked.Increment(ref _adds);
        _view[obj.Metadata.Name!] = obj.Metadata.ResourceVersion!;
    }

    public void OnUpdate(T oldObj, T newObj)
    {
        Interlocked.Increment(ref _updates);
        _view[newObj.Metadata.Name!] = newObj.Metadata.ResourceVersion!;
    }

    public void OnDelete(T obj)
    {
        Interlocked.Increment(ref _deletes);
        _view.TryRemove(obj.Metadata.Name!, out _);
    }

    public bool Matches(IEnumerable<T> server)
    {
        var expected = server.ToDictionary(o => o.Metadata.Name!, o => o.Metadata.ResourceVersion!);
        var actual = _view.ToDictionary();
        return expected.Count == actual.Count && expected.All(e => actual.TryGetValue(e.Key, out var rv) && rv == e.Value);
    }

    public override string ToString() => string.Join(", ", _view.OrderBy(p => p.Key).Select(p => $"{p.Key}@{p.Value}"));
}
