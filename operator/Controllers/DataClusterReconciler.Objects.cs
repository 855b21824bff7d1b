using System.Text.Json;
using System.Text.Json.Nodes;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Controllers;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Operator.Builders;
using Microsoft.Extensions.Logging;

namespace DataCluster.Operator.Controllers;

/// <summary>The objects that only need to exist and match their builders.</summary>
public sealed partial class DataClusterReconciler
{
    /// <summary>ServiceAccount, Role, RoleBinding and the peer-token Secret of the agents.</summary>
    private async Task EnsureIdentityAsync(ClusterContext context, CancellationToken cancellationToken)
    {
        var cluster = context.Defaulted;
        var ns = context.Namespace;
        var name = context.Name;
        await EnsureOwnedAsync(context, KubeResources.ServiceAccounts, AgentRbacBuilder.ServiceAccount(cluster),
            _caches.ServiceAccounts.Get(ns, ObjectNames.AgentServiceAccount(name)), null, cancellationToken).ConfigureAwait(false);

        // The Role names every member Lease, including those of members still being drained.
        var memberLeases = LeaseBuilder.MemberCount(cluster, context.StatefulSet?.Spec.Replicas);
        await EnsureOwnedAsync(context, KubeResources.Roles, AgentRbacBuilder.Role(cluster, memberLeases),
            _caches.Roles.Get(ns, ObjectNames.AgentRole(name)), null, cancellationToken).ConfigureAwait(false);
        await EnsureOwnedAsync(context, KubeResources.RoleBindings, AgentRbacBuilder.RoleBinding(cluster),
            _caches.RoleBindings.Get(ns, ObjectNames.AgentRoleBinding(name)), null, cancellationToken).ConfigureAwait(false);

        // The token must survive everything short of deleting the cluster: read the live Secret
        // even when the cache misses it (say its labels were edited away) before building.
        var secretName = ObjectNames.PeerTokenSecret(name);
        var existing = _caches.Secrets.Get(ns, secretName)
            ?? await _server.GetAsync(KubeResources.Secrets, ns, secretName, cancellationToken).ConfigureAwait(false);
        var desired = SecretBuilder.PeerToken(cluster, existing is not null && ObjectApplier.IsOwnedBy(existing, context.Uid) ? existing : null, SecretBuilder.NewToken());
        await EnsureOwnedAsync(context, KubeResources.Secrets, desired, existing, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The peer (headless), client and ring Services.</summary>
    private async Task EnsureServicesAsync(ClusterContext context, CancellationToken cancellationToken)
    {
        var cluster = context.Defaulted;
        foreach (var service in new[] { ServiceBuilders.Peer(cluster), ServiceBuilders.Client(cluster), ServiceBuilders.Ring(cluster) })
        {
            await EnsureOwnedAsync(context, KubeResources.Services, service,
                _caches.Services.Get(context.Namespace, service.Metadata.Name!), null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The member Leases (one per ordinal that is or will be running, created before the
    /// StatefulSet grows), the leader Lease and the assignment ConfigMap. Created when missing and
    /// never written afterwards: from then on they belong to the agents.
    /// </summary>
    private async Task EnsureCoordinationAsync(ClusterContext context, CancellationToken cancellationToken)
    {
        var cluster = context.Defaulted;
        var count = LeaseBuilder.MemberCount(cluster, context.StatefulSet?.Spec.Replicas);
        foreach (var lease in LeaseBuilder.MemberLeases(cluster, count).Append(LeaseBuilder.LeaderLease(cluster)))
        {
            var cached = _caches.Leases.Get(context.Namespace, lease.Metadata.Name!) is not null;
            await CreateIfMissingAsync(context, KubeResources.Leases, lease, cached, cancellationToken).ConfigureAwait(false);
        }

        var configMap = ConfigMapBuilder.Assignment(cluster);
        var cachedMap = _caches.ConfigMaps.Get(context.Namespace, configMap.Metadata.Name!) is not null;
        await CreateIfMissingAsync(context, KubeResources.ConfigMaps, configMap, cachedMap, cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureDisruptionBudgetAsync(ClusterContext context, CancellationToken cancellationToken)
    {
        var budget = PodDisruptionBudgetBuilder.Build(context.Defaulted);
        await EnsureOwnedAsync(context, _caches.DisruptionBudgetType, budget,
            _caches.DisruptionBudgets.Get(context.Namespace, budget.Metadata.Name!), null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Volume claims from the StatefulSet's claim template are owned by nobody (Kubernetes 1.20
    /// has no claim retention policy), so they would outlive the cluster. Each gets an owner
    /// reference to the DataCluster (not a controller reference: the StatefulSet controller made
    /// it), so deleting the DataCluster deletes its data.
    /// </summary>
    private async Task OwnVolumeClaimsAsync(ClusterContext context, CancellationToken cancellationToken)
    {
        var prefix = $"{AgentPaths.DataVolume}-{ObjectNames.StatefulSet(context.Name)}-";
        foreach (var claim in _caches.VolumeClaims.List(context.Namespace, $"{LabelKeys.Cluster}={context.Name}"))
        {
            var claimName = claim.Metadata.Name ?? "";
            if (!claimName.StartsWith(prefix, StringComparison.Ordinal)
                || ObjectNames.OrdinalOf(context.Name, context.Name + "-" + claimName[prefix.Length..]) < 0
                || claim.Metadata.DeletionTimestamp is not null
                || ObjectApplier.IsOwnedBy(claim, context.Uid))
            {
                continue;
            }

            var reference = Owner.Reference(context.Defaulted);
            reference.Controller = false;
            var owners = new JsonArray();
            foreach (var existing in claim.Metadata.OwnerReferences ?? [])
            {
                owners.Add(JsonSerializer.SerializeToNode(existing, KubeJsonContext.Default.OwnerReference));
            }

            owners.Add(JsonSerializer.SerializeToNode(reference, KubeJsonContext.Default.OwnerReference));

            // resourceVersion makes the patch conditional: a merge patch replaces the whole list,
            // so it must not race with another writer of the owner references.
            var patch = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["resourceVersion"] = claim.Metadata.ResourceVersion,
                    ["ownerReferences"] = owners,
                },
            };
            await _writer.MergePatchAsync(KubeResources.PersistentVolumeClaims, context.Namespace, claimName, patch, cancellationToken).ConfigureAwait(false);
            _logger.ClaimOwned(context.Namespace, context.Name, claimName);
        }
    }

    /// <summary>Ensures one owned object and reports an object of its name that belongs to someone else.</summary>
    private async Task<Ensured<T>> EnsureOwnedAsync<T>(ClusterContext context, ResourceType<T> type, T desired, T? cached, IReadOnlySet<string>? ignoreWhenAbsent, CancellationToken cancellationToken)
        where T : class, IKubernetesObject
    {
        var ensured = await _applier.EnsureAsync(type, desired, cached, context.Uid, ignoreWhenAbsent, cancellationToken).ConfigureAwait(false);
        switch (ensured.Result)
        {
            case EnsureResult.Applied:
                _logger.Applied(type.Kind, desired.Metadata.Namespace, desired.Metadata.Name);
                break;
            case EnsureResult.Blocked:
                await ReportBlockedAsync(context, type.Kind, ensured.Object!, cancellationToken).ConfigureAwait(false);
                break;
        }

        return ensured;
    }

    private async Task ReportBlockedAsync(ClusterContext context, string kind, IKubernetesObject blocker, CancellationToken cancellationToken)
    {
        // A DataCluster deleted and created again under the same name finds its predecessor's
        // objects until the garbage collector removes them: wait, that is not a conflict.
        if (Controller.ControllerOwner(blocker, DataClusterApi.Group, DataClusterApi.Kind) == context.Name)
        {
            context.WaitingForCollector = true;
            return;
        }

        _logger.Blocked(kind, blocker.Metadata.Namespace, blocker.Metadata.Name);
        await _events.RecordOnceAsync(context.Reference, EventTypes.Warning, EventReasons.NameTaken,
            $"{kind} {blocker.Metadata.Name} already exists and does not belong to this DataCluster, so the operator leaves it alone and the cluster cannot work: delete or rename that {kind}.",
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates an object that is only ever created by the operator (Leases, the assignment ConfigMap).</summary>
    private async Task CreateIfMissingAsync<T>(ClusterContext context, ResourceType<T> type, T obj, bool cached, CancellationToken cancellationToken)
        where T : class, IKubernetesObject
    {
        // One that exists without our labels never shows in the cache; remember it so the
        // create is not attempted on every reconcile. Once the cache shows it, forget that,
        // so it is created again if it is ever deleted.
        var key = $"{context.Namespace}/{obj.Metadata.Name}/{type.Plural}";
        if (cached)
        {
            _knownToExist.TryRemove(key, out _);
            return;
        }

        if (_knownToExist.ContainsKey(key))
        {
            return;
        }

        try
        {
            await _writer.CreateAsync(type, obj, cancellationToken).ConfigureAwait(false);
            _logger.Created(type.Kind, obj.Metadata.Namespace, obj.Metadata.Name);
        }
        catch (AlreadyExistsException)
        {
            _knownToExist[key] = true;
        }
    }
}
