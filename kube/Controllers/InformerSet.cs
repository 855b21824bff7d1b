using DataCluster.Kube.Client;
using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;
using Microsoft.Extensions.Logging;

namespace DataCluster.Kube.Controllers;

/// <summary>
/// The informers of one kind over the watched namespaces: one informer for all namespaces, or one
/// per namespace when a controller watches a list of them (RBAC then only needs to grant those
/// namespaces). Reads route to the informer of the namespace; handlers go to every informer.
/// </summary>
/// <remarks>Thread-safe like <see cref="Informer{T}"/>: handlers before <see cref="RunAsync"/>, reads at any time.</remarks>
public sealed class InformerSet<T> : IKubeCacheReader<T>, IEventSource<T>
    where T : class, IKubernetesObject
{
    private readonly Informer<T>? _all;
    private readonly Dictionary<string, Informer<T>> _byNamespace = new(StringComparer.Ordinal);

    /// <summary>
    /// Informers for <paramref name="type"/>: one across all namespaces when
    /// <paramref name="namespaces"/> is empty (or the kind is cluster-scoped), else one per namespace.
    /// </summary>
    /// <param name="client">The client the informers list and watch with.</param>
    /// <param name="type">The kind, as resolved by discovery.</param>
    /// <param name="namespaces">The namespaces to watch; empty = all.</param>
    /// <param name="options">Label/field selectors and retry settings; its Namespace is ignored.</param>
    /// <param name="logger">For the informers' logs.</param>
    public InformerSet(IKubeClient client, ResourceType<T> type, IReadOnlyCollection<string> namespaces, InformerOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(namespaces);
        options ??= new InformerOptions();
        Type = type;
        if (namespaces.Count == 0 || !type.Namespaced)
        {
            _all = new Informer<T>(client, type, options with { Namespace = null }, logger);
            return;
        }

        foreach (var ns in namespaces.Distinct(StringComparer.Ordinal))
        {
            _byNamespace[ns] = new Informer<T>(client, type, options with { Namespace = ns }, logger);
        }
    }

    /// <summary>The kind.</summary>
    public ResourceType<T> Type { get; }

    /// <inheritdoc />
    public string Description => Type.ToString();

    /// <summary>True once every informer has synced.</summary>
    public bool HasSynced => Informers.All(i => i.HasSynced);

    private IEnumerable<Informer<T>> Informers => _all is not null ? [_all] : _byNamespace.Values;

    /// <inheritdoc />
    public void AddHandler(IInformerHandler<T> handler)
    {
        foreach (var informer in Informers)
        {
            informer.AddHandler(handler);
        }
    }

    /// <inheritdoc />
    public Task WaitForSyncAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Informers.Select(i => i.WaitForSyncAsync(cancellationToken)));

    /// <summary>Runs every informer until cancelled; see <see cref="Informer{T}.RunAsync"/>.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Informers.Select(i => i.RunAsync(cancellationToken)));

    /// <inheritdoc />
    public T? Get(string? @namespace, string name)
    {
        if (_all is not null)
        {
            return _all.Get(@namespace, name);
        }

        return @namespace is not null && _byNamespace.TryGetValue(@namespace, out var informer) ? informer.Get(@namespace, name) : null;
    }

    /// <inheritdoc />
    public IReadOnlyList<T> List(string? @namespace = null, string? labelSelector = null)
    {
        if (_all is not null)
        {
            return _all.List(@namespace, labelSelector);
        }

        if (@namespace is not null)
        {
            return _byNamespace.TryGetValue(@namespace, out var informer) ? informer.List(@namespace, labelSelector) : [];
        }

        return [.. _byNamespace.Values.SelectMany(i => i.List(null, labelSelector))];
    }
}
