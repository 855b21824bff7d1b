using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>The sync loop: one pod key at a time, level-based on the informer's copy of the pod.</summary>
public sealed partial class LocalNode
{
    /// <summary>The grace period of a pod that names none, as the API server defaults it.</summary>
    private const long DefaultGraceSeconds = 30;

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (ok, key) = await _queue.TakeAsync(cancellationToken).ConfigureAwait(false);
            if (!ok)
            {
                return;
            }

            try
            {
                await SyncAsync(key, cancellationToken).ConfigureAwait(false);
                _queue.Forget(key);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested
                && e is KubeApiException or HttpRequestException or IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                _logger.SyncFailed(e, key);
                _queue.AddRateLimited(key);
            }
            finally
            {
                _queue.Done(key);
            }
        }
    }

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var ns = key[..slash];
        var name = key[(slash + 1)..];
        var pod = _informer.Get(ns, name);
        _pods.TryGetValue(key, out var local);

        if (pod is null)
        {
            // Gone from the API (force-deleted, or deleted by us after its processes stopped).
            _boundHere.TryRemove(key, out _);
            if (local is not null && _pods.TryRemove(new KeyValuePair<string, LocalPod>(key, local)))
            {
                Track(local.StopAsync(TimeSpan.Zero));
            }

            return;
        }

        var uid = pod.Metadata.Uid ?? "";
        if (local is not null && local.Uid != uid)
        {
            // A new pod of the same name: the old instance's processes must go first (its
            // address and claim directory are the new one's).
            _pods.TryRemove(new KeyValuePair<string, LocalPod>(key, local));
            await local.StopAsync(TimeSpan.Zero).ConfigureAwait(false);
            local = null;
        }

        if (pod.Metadata.DeletionTimestamp is not null)
        {
            if (local is not null)
            {
                if (!local.Terminating)
                {
                    Track(TerminateAsync(key, local, pod));
                }
            }
            else if (IsOurs(pod.Spec.NodeName))
            {
                await DeleteNowAsync(pod, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (string.IsNullOrEmpty(pod.Spec.NodeName))
        {
            if (!_boundHere.TryGetValue(key, out var binding) || binding.Uid != uid)
            {
                await BindAsync(key, pod, cancellationToken).ConfigureAwait(false);
            }

            return; // started when the watch shows the binding
        }

        if (!IsOurs(pod.Spec.NodeName))
        {
            return;
        }

        if (local is null)
        {
            local = new LocalPod(new PodContext(
                pod,
                pod.Spec.NodeName,
                _addresses.AddressFor(key).ToString(),
                NodeRegistrar.HostAddress,
                new PodDirectories(RunDirectory, ns, name, uid),
                _claims,
                RunDirectory,
                _client,
                _options,
                _probeHttp,
                _logger,
                _time));
            _pods[key] = local;
            local.Start();
        }
        else
        {
            local.Observe(pod);
        }
    }

    private bool IsOurs(string? nodeName) => nodeName is not null && _nodeNames.Contains(nodeName);

    private async Task BindAsync(string key, Pod pod, CancellationToken cancellationToken)
    {
        var placed = new List<PlacedPod>();
        foreach (var other in _informer.List())
        {
            var otherKey = Key(other);
            if (otherKey == key || other.Metadata.DeletionTimestamp is not null)
            {
                continue;
            }

            // The watch may not show a binding made a moment ago; our own record fills the gap.
            var node = !string.IsNullOrEmpty(other.Spec.NodeName) ? other.Spec.NodeName
                : _boundHere.TryGetValue(otherKey, out var b) && b.Uid == other.Metadata.Uid ? b.Node
                : null;
            if (IsOurs(node))
            {
                placed.Add(new PlacedPod(node!, SpreadGroup(other)));
            }
        }

        var choice = PodPlacement.Choose(_options.Nodes, pod.Spec.NodeSelector, SpreadGroup(pod), placed);
        if (choice is null)
        {
            _logger.Unschedulable(pod.Metadata.Namespace ?? "", pod.Metadata.Name ?? "");
            _queue.AddAfter(key, UnschedulableRetry);
            return;
        }

        var binding = new Binding
        {
            Metadata = new ObjectMeta { Name = pod.Metadata.Name, Namespace = pod.Metadata.Namespace, Uid = pod.Metadata.Uid },
            Target = new ObjectReference { ApiVersion = "v1", Kind = "Node", Name = choice.Name },
        };
        try
        {
            await _client.PostSubresourceAsync(KubeResources.Pods, pod.Metadata.Namespace, pod.Metadata.Name ?? "", "binding", binding, KubeJsonContext.Default.Binding, cancellationToken).ConfigureAwait(false);
        }
        catch (ConflictException)
        {
            return; // bound meanwhile (by another scheduler or an earlier attempt); the watch tells where
        }
        catch (NotFoundException)
        {
            return; // deleted meanwhile
        }

        _boundHere[key] = (pod.Metadata.Uid ?? "", choice.Name);
        _logger.Bound(pod.Metadata.Namespace ?? "", pod.Metadata.Name ?? "", choice.Name, choice.Zone);
    }

    /// <summary>Pods of one controller in one namespace are spread together.</summary>
    private static string SpreadGroup(Pod pod)
    {
        var owner = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
        return $"{pod.Metadata.Namespace}/{owner?.Uid ?? pod.Metadata.Name}";
    }

    /// <summary>What the kubelet does for a deleted pod: stop its containers within the grace period, then remove the pod.</summary>
    private async Task TerminateAsync(string key, LocalPod local, Pod pod)
    {
        var grace = pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? DefaultGraceSeconds;
        _logger.Terminating(local.Namespace, local.Name, grace);
        await local.StopAsync(TimeSpan.FromSeconds(grace)).ConfigureAwait(false);

        // Forgotten before the pod goes from the API, so whoever sees it gone finds no process
        // either. A sync in between finds a deleting pod of ours with nothing running and
        // deletes it just the same.
        _pods.TryRemove(new KeyValuePair<string, LocalPod>(key, local));
        try
        {
            await DeleteNowAsync(pod, _stop.Token).ConfigureAwait(false);
            _logger.Removed(local.Namespace, local.Name);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException)
        {
            _logger.DeleteFailed(e, local.Namespace, local.Name);
            _queue.AddRateLimited(key);
        }
    }

    /// <summary>Deletes the pod with grace 0 and a uid precondition, so a newer pod of the same name is never hit.</summary>
    private async Task DeleteNowAsync(Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await _client.DeleteAsync(
                KubeResources.Pods,
                pod.Metadata.Namespace,
                pod.Metadata.Name ?? "",
                new DeleteOptions { GracePeriodSeconds = 0, PreconditionUid = pod.Metadata.Uid },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NotFoundException or ConflictException)
        {
            // Already gone, or replaced by a newer pod of the same name.
        }
    }
}
