using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;
using DataCluster.Kube.Watch;
using DataCluster.Testing.Fakes;

namespace DataCluster.Kube.Tests.Support;

/// <summary>
/// An API server for ConfigMaps that answers lists and watches from a script, for testing the
/// watch and informer logic without timing or network. Once the script runs out, lists fail
/// and watches wait until cancelled.
/// </summary>
internal sealed class ScriptedClient : UnsupportedKubeClient
{
    private readonly ConcurrentQueue<Func<KubeList<ConfigMap>>> _lists = new();
    private readonly ConcurrentQueue<object[]> _watches = new();

    public ConcurrentQueue<ListOptions> ListCalls { get; } = new();

    public ConcurrentQueue<WatchOptions> WatchCalls { get; } = new();

    public static ConfigMap Cm(string name, string rv, string ns = "ns", Dictionary<string, string>? labels = null) =>
        new() { Metadata = new ObjectMeta { Namespace = ns, Name = name, ResourceVersion = rv, Labels = labels } };

    public static WatchEvent<ConfigMap> Event(WatchEventType type, string name, string rv) => new(type, Cm(name, rv));

    public ScriptedClient List(string resourceVersion, params ConfigMap[] items)
    {
        _lists.Enqueue(() => new KubeList<ConfigMap> { Metadata = new ListMeta { ResourceVersion = resourceVersion }, Items = [.. items] });
        return this;
    }

    public ScriptedClient FailList(Exception error)
    {
        _lists.Enqueue(() => throw error);
        return this;
    }

    /// <summary>One watch request: yields the events, then throws the exception among <paramref name="steps"/>, or ends.</summary>
    public ScriptedClient Watch(params object[] steps)
    {
        _watches.Enqueue(steps);
        return this;
    }

    public override Task<KubeList<T>> ListAsync<T>(ResourceType<T> type, string? @namespace, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        ListCalls.Enqueue(options ?? new ListOptions());
        if (!_lists.TryDequeue(out var list))
        {
            return Task.FromException<KubeList<T>>(new HttpRequestException("no more scripted lists"));
        }

        try
        {
            return Task.FromResult((KubeList<T>)(object)list());
        }
        catch (Exception e)
        {
            return Task.FromException<KubeList<T>>(e);
        }
    }

    public override async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(ResourceType<T> type, string? @namespace, WatchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        WatchCalls.Enqueue(options);
        if (!_watches.TryDequeue(out var steps))
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }

        foreach (var step in steps)
        {
            await Task.Yield();
            if (step is Exception error)
            {
                throw error;
            }

            yield return (WatchEvent<T>)step;
        }
    }
}
