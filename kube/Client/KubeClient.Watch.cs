using System.Runtime.CompilerServices;
using DataCluster.Kube.Logging;
using DataCluster.Kube.Models;
using DataCluster.Kube.Watch;

namespace DataCluster.Kube.Client;

/// <summary>The raw watch: one HTTP stream, parsed as it arrives.</summary>
public sealed partial class KubeClient
{
    /// <inheritdoc />
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(ResourceType<T> type, string? @namespace, WatchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        ArgumentNullException.ThrowIfNull(options);
        var query = new QueryString()
            .Add("watch", true)
            .Add("resourceVersion", options.ResourceVersion)
            .Add("allowWatchBookmarks", options.AllowBookmarks)
            .Add("labelSelector", options.LabelSelector)
            .Add("fieldSelector", options.FieldSelector)
            .Add("timeoutSeconds", options.TimeoutSeconds);
        var path = type.CollectionPath(@namespace) + query;

        // One token limits both connecting (by the request timeout) and, once the stream is
        // open, silence (re-armed after every event).
        using var limit = StartTimeout(cancellationToken);
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"GET {path} got no answer within {_options.RequestTimeout.TotalSeconds:0.#} s.", e);
        }

        _logger.WatchStarted(type.ToString(), @namespace ?? "(all)", options.ResourceVersion);
        var idle = options.TimeoutSeconds is int seconds ? TimeSpan.FromSeconds(seconds) + _options.WatchIdleGrace : Timeout.InfiniteTimeSpan;
        using (response)
        {
            var stream = await response.Content.ReadAsStreamAsync(limit.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                limit.CancelAfter(idle);
                var events = WatchStreamReader.ReadAsync(stream, type, limit.Token).GetAsyncEnumerator(limit.Token);
                await using (events.ConfigureAwait(false))
                {
                    while (true)
                    {
                        try
                        {
                            if (!await events.MoveNextAsync().ConfigureAwait(false))
                            {
                                yield break;
                            }
                        }
                        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                        {
                            // Silent for longer than the server promised to keep the stream
                            // open: a half-open connection. End as if the server had closed it.
                            yield break;
                        }

                        limit.CancelAfter(idle);
                        yield return events.Current;
                    }
                }
            }
        }
    }
}
