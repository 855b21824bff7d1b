using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Client;

/// <summary>Conveniences built on the small interfaces.</summary>
public static class KubeReaderExtensions
{
    /// <summary>
    /// Lists every page and returns all items with the resourceVersion of the list (to start a
    /// watch from). If a continue token expires mid-way (410 Expired, when etcd compacted during
    /// a long list) it falls back to one unpaginated list, as client-go's pager does.
    /// </summary>
    public static async Task<KubeList<T>> ListAllAsync<T>(this IKubeReader reader, ResourceType<T> type, string? @namespace, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        options ??= new ListOptions();
        var all = new KubeList<T>();
        var page = options;
        while (true)
        {
            KubeList<T> list;
            try
            {
                list = await reader.ListAsync(type, @namespace, page, cancellationToken).ConfigureAwait(false);
            }
            catch (GoneException) when (page.Continue is not null)
            {
                return await reader.ListAsync(type, @namespace, options with { Limit = null, Continue = null }, cancellationToken).ConfigureAwait(false);
            }

            all.ApiVersion = list.ApiVersion;
            all.Kind = list.Kind;
            all.Items.AddRange(list.Items);
            all.Metadata.ResourceVersion = list.Metadata.ResourceVersion;
            if (string.IsNullOrEmpty(list.Metadata.Continue))
            {
                return all;
            }

            page = page with { Continue = list.Metadata.Continue, ResourceVersion = null }; // the server rejects both together
        }
    }

    /// <summary>Deletes the object if it exists; returns false when it was already gone.</summary>
    public static async Task<bool> DeleteIfExistsAsync<T>(this IKubeWriter writer, ResourceType<T> type, string? @namespace, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        try
        {
            await writer.DeleteAsync(type, @namespace, name, options, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }
}
