using System.Diagnostics;
using DataCluster.Agent.Observability;

namespace DataCluster.Agent.DataPlane;

/// <summary>
/// The span of one write on the member that leads its partition: it starts when the record is
/// appended and ends when its commit level is met (or the write fails), so it covers the
/// replication round trips. The HTTP request span (and the forwarding hop's, on the member that
/// received the write first) is its parent.
/// </summary>
internal static class DataPlaneTracing
{
    public static Activity? StartAppend(Activity? parent, WriteRequest request, long offset)
    {
        var activity = parent is null
            ? AgentTracing.Source.StartActivity("append", ActivityKind.Internal)
            : AgentTracing.Source.StartActivity("append", ActivityKind.Internal, parent.Context);
        if (activity is not null)
        {
            activity.SetTag("datacluster.partition", request.Partition);
            activity.SetTag("datacluster.commit_level", request.Level.ToString());
            activity.SetTag("datacluster.offset", offset);
        }

        return activity;
    }

    public static void End(Activity? activity, WriteStatus status, long term, long offset)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("datacluster.outcome", status.ToString());
        activity.SetTag("datacluster.epoch", term);
        activity.SetTag("datacluster.offset", offset);
        if (status != WriteStatus.Acknowledged)
        {
            activity.SetStatus(ActivityStatusCode.Error, status.ToString());
        }

        activity.Dispose();
    }
}
