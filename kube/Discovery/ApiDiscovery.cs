using System.Collections.Concurrent;
using DataCluster.Kube.Client;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Logging;
using DataCluster.Kube.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataCluster.Kube.Discovery;

/// <summary>
/// Which group versions and resources the API server serves, fetched once and cached until
/// <see cref="Invalidate"/>. Resolves a <see cref="ResourceType{T}"/> to the first of its
/// <see cref="ResourceType{T}.ServedVersions"/> the server serves, so callers use
/// discovery.k8s.io/v1 where it exists and v1beta1 where it does not, through one model.
/// </summary>
/// <remarks>Thread-safe; concurrent callers share one fetch per document.</remarks>
public sealed class ApiDiscovery
{
    private readonly IKubeClient _client;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, Task<ApiResourceList?>> _resources = new(StringComparer.Ordinal);
    private Task<Dictionary<string, HashSet<string>>>? _groups;

    public ApiDiscovery(IKubeClient client, ILogger<ApiDiscovery>? logger = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Forget what was fetched; the next call asks the server again (after an upgrade, a CRD install).</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _groups = null;
            _resources.Clear();
        }
    }

    /// <summary>The versions the server serves for <paramref name="group"/> ("" = core), empty if none.</summary>
    public async Task<IReadOnlySet<string>> ServedVersionsAsync(string group, CancellationToken cancellationToken = default)
    {
        var groups = await GroupsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return groups.TryGetValue(group, out var versions) ? versions : new HashSet<string>();
    }

    /// <summary>Whether <paramref name="plural"/> exists in group/version.</summary>
    public async Task<bool> IsServedAsync(string group, string version, string plural, CancellationToken cancellationToken = default)
    {
        var versions = await ServedVersionsAsync(group, cancellationToken).ConfigureAwait(false);
        if (!versions.Contains(version))
        {
            return false;
        }

        var list = await ResourcesAsync(group, version).WaitAsync(cancellationToken).ConfigureAwait(false);
        return list is not null && list.Resources.Any(r => r.Name == plural);
    }

    /// <summary>
    /// <paramref name="type"/> bound to the first of its served versions the server has, e.g.
    /// EndpointSlices as v1beta1 on Kubernetes 1.20 and as v1 from 1.21 on.
    /// </summary>
    /// <exception cref="ResourceNotServedException">None of them is served; the message lists what was tried.</exception>
    public async Task<ResourceType<T>> ResolveAsync<T>(ResourceType<T> type, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        ArgumentNullException.ThrowIfNull(type);
        foreach (var version in type.ServedVersions)
        {
            if (await IsServedAsync(type.Group, version, type.Plural, cancellationToken).ConfigureAwait(false))
            {
                var resolved = type.WithVersion(version);
                _logger.VersionResolved(type.Kind, resolved.ApiVersion);
                return resolved;
            }
        }

        var group = type.Group.Length == 0 ? "core" : type.Group;
        throw new ResourceNotServedException(
            $"The API server serves {type.Plural} in none of the versions this client can use: {string.Join(", ", type.ServedVersions.Select(v => $"{group}/{v}"))}.");
    }

    private Task<Dictionary<string, HashSet<string>>> GroupsAsync()
    {
        lock (_gate)
        {
            if (_groups is null || _groups.IsFaulted || _groups.IsCanceled)
            {
                // Not bound to one caller's token: other callers share this fetch.
                _groups = FetchGroupsAsync();
            }

            return _groups;
        }
    }

    private async Task<Dictionary<string, HashSet<string>>> FetchGroupsAsync()
    {
        var core = await _client.GetPathAsync("/api", ClientJsonContext.Default.ApiVersions).ConfigureAwait(false);
        var named = await _client.GetPathAsync("/apis", ClientJsonContext.Default.ApiGroupList).ConfigureAwait(false);
        var groups = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal)
        {
            [""] = new HashSet<string>(core.Versions, StringComparer.Ordinal),
        };
        foreach (var group in named.Groups)
        {
            groups[group.Name] = group.Versions.Select(v => v.Version).ToHashSet(StringComparer.Ordinal);
        }

        return groups;
    }

    private Task<ApiResourceList?> ResourcesAsync(string group, string version)
    {
        var key = group.Length == 0 ? version : $"{group}/{version}";
        var task = _resources.GetOrAdd(key, k => FetchResourcesAsync(k, group.Length == 0 ? $"/api/{version}" : $"/apis/{k}"));
        if (task.IsFaulted || task.IsCanceled)
        {
            _resources.TryRemove(new KeyValuePair<string, Task<ApiResourceList?>>(key, task));
            task = _resources.GetOrAdd(key, k => FetchResourcesAsync(k, group.Length == 0 ? $"/api/{version}" : $"/apis/{k}"));
        }

        return task;
    }

    private async Task<ApiResourceList?> FetchResourcesAsync(string groupVersion, string path)
    {
        try
        {
            return await _client.GetPathAsync(path, ClientJsonContext.Default.ApiResourceList).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            return null; // listed in /apis but gone since (an API service removed): not served
        }
    }
}
