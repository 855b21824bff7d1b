using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Controllers;

/// <summary>The event sources of a controller: how changes of each kind become requests.</summary>
public sealed partial class Controller
{
    /// <summary>
    /// The primary kind: every add, update and delete queues the object's own key.
    /// </summary>
    public Controller For<T>(IEventSource<T> source)
        where T : class, IKubernetesObject =>
        Watches(source, obj => [RequestFor(obj)]);

    /// <summary>
    /// A kind the primary owns: a change queues the object named by its controller owner reference
    /// when that reference is of <paramref name="ownerGroup"/>/<paramref name="ownerKind"/>, in the
    /// object's namespace. Objects without such a reference are ignored.
    /// </summary>
    /// <param name="source">The owned kind's informers.</param>
    /// <param name="ownerGroup">The owner's API group ("" for core), whatever its version.</param>
    /// <param name="ownerKind">The owner's kind.</param>
    public Controller Owns<T>(IEventSource<T> source, string ownerGroup, string ownerKind)
        where T : class, IKubernetesObject
    {
        ArgumentNullException.ThrowIfNull(ownerGroup);
        ArgumentException.ThrowIfNullOrEmpty(ownerKind);
        return Watches(source, obj => ControllerOwner(obj, ownerGroup, ownerKind) is { } owner
            ? [new ReconcileRequest(obj.Metadata.Namespace ?? "", owner)]
            : []);
    }

    /// <summary>
    /// Any kind: each change queues what <paramref name="map"/> returns for the object (for an
    /// update, for both the old and the new version, so an object that moved from one owner to
    /// another updates both).
    /// </summary>
    /// <param name="source">The kind's informers.</param>
    /// <param name="map">Which primary objects a change concerns. Runs on the informer's loop: keep it quick (cache reads only).</param>
    /// <param name="isRelevantUpdate">
    /// Filters updates (old, new); null lets every update through. Use it to ignore changes the
    /// reconciler does not read, such as a Node's heartbeat when only its labels matter.
    /// </param>
    public Controller Watches<T>(IEventSource<T> source, Func<T, IEnumerable<ReconcileRequest>> map, Func<T, T, bool>? isRelevantUpdate = null)
        where T : class, IKubernetesObject
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(map);
        if (IsRunning)
        {
            throw new InvalidOperationException($"Add sources to controller {Name} before running it.");
        }

        source.AddHandler(new InformerHandler<T>(
            onAdd: obj => EnqueueMapped(source, map, obj),
            onUpdate: (old, updated) =>
            {
                if (isRelevantUpdate is null || isRelevantUpdate(old, updated))
                {
                    EnqueueMapped(source, map, old);
                    EnqueueMapped(source, map, updated);
                }
            },
            onDelete: obj => EnqueueMapped(source, map, obj)));
        _syncs.Add(source.WaitForSyncAsync);
        return this;
    }

    /// <summary>The request for an object's own key.</summary>
    public static ReconcileRequest RequestFor(IKubernetesObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return new ReconcileRequest(obj.Metadata.Namespace ?? "", obj.Metadata.Name ?? "");
    }

    /// <summary>
    /// The name of the object's controller owner of the given group and kind (any version), or
    /// null. Only the reference marked <c>controller: true</c> counts, as in Kubernetes' own
    /// controllers: other owners do not manage the object.
    /// </summary>
    public static string? ControllerOwner(IKubernetesObject obj, string ownerGroup, string ownerKind)
    {
        ArgumentNullException.ThrowIfNull(obj);
        foreach (var reference in obj.Metadata.OwnerReferences ?? [])
        {
            if (reference is { Controller: true } && reference.Kind == ownerKind && GroupOf(reference.ApiVersion) == ownerGroup)
            {
                return reference.Name;
            }
        }

        return null;
    }

    private static string GroupOf(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? "" : apiVersion[..slash];
    }

    private void EnqueueMapped<T>(IEventSource<T> source, Func<T, IEnumerable<ReconcileRequest>> map, T obj)
        where T : class, IKubernetesObject
    {
        try
        {
            foreach (var request in map(obj))
            {
                if (request.Name.Length > 0)
                {
                    Enqueue(request);
                }
            }
        }
        catch (Exception e)
        {
            _logger.MappingFailed(e, Name, source.Description, KeyOf(obj));
        }
    }
}
