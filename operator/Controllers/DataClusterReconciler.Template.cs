using System.Text.Json;
using DataCluster.Kube;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using Microsoft.Extensions.Logging;

namespace DataCluster.Operator.Controllers;

/// <summary>The member pod template, judged by the API server before the StatefulSet takes it.</summary>
public sealed partial class DataClusterReconciler
{
    /// <summary>
    /// Checks the pod template of <paramref name="built"/>, the StatefulSet about to be applied,
    /// and returns the problem when the API server refuses pods made from it (null when it accepts
    /// them, or could not say).
    /// </summary>
    /// <remarks>
    /// <para>A Kubernetes 1.20 API server validates only the labels and annotations of a
    /// StatefulSet's pod template. A template no pod can be made from (an app container named
    /// <c>App_1</c>, a mount of a volume the pod lacks) is stored, and the StatefulSet controller
    /// then fails to create members, saying why only in Events on the StatefulSet; on an update it
    /// would replace a working member with one that never comes. So a template the StatefulSet does
    /// not run yet is first sent as a dry-run create of member 0's pod, which the server defaults,
    /// admits and validates in full without storing anything.</para>
    /// <para>A 422 refusal is reported like an invalid spec, in the server's words, and the
    /// StatefulSet keeps the template it has. So is a 403 from admission that no pod made from the
    /// template can pass (a LimitRange's minimum or maximum, a pod security policy, a webhook that
    /// denies it); that answer depends on the namespace's policy as well as on the template, so it
    /// is asked again every <see cref="AdmissionRecheck"/> until it changes. A quota that is full,
    /// a 403 for the operator's own rights, or any other failure (a webhook that is down or does
    /// not take dry runs, the server busy) is logged and does not hold the change back: the
    /// StatefulSet controller meets it too, and retries. An answer is remembered per template, so
    /// a cluster whose template does not change sends nothing.</para>
    /// </remarks>
    private async Task<ValidationProblem?> CheckPodTemplateAsync(ClusterContext context, StatefulSet built, CancellationToken cancellationToken)
    {
        var template = JsonSerializer.SerializeToNode(built.Spec.Template, KubeJsonContext.Default.PodTemplateSpec);
        if (context.StatefulSet is { } live
            && SemanticEquality.IsSubset(template, JsonSerializer.SerializeToNode(live.Spec.Template, KubeJsonContext.Default.PodTemplateSpec)))
        {
            return null;
        }

        var key = $"{context.Namespace}/{context.Name}";
        var text = template?.ToJsonString() ?? "";
        if (_checkedTemplates.TryGetValue(key, out var checkedBefore) && checkedBefore.Template == text
            && (checkedBefore.AskAgainAt is not { } due || context.Now < due))
        {
            context.TemplateRecheckAt = checkedBefore.AskAgainAt;
            return checkedBefore.Problem;
        }

        ValidationProblem? problem = null;
        DateTimeOffset? askAgainAt = null;
        try
        {
            await _writer.DryRunCreateAsync(KubeResources.Pods, MemberPod(built), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidException refused)
        {
            problem = new ValidationProblem("spec.template",
                $"The API server refuses the member pods this spec makes: {RefusalDetails(refused)} (paths are those of a member pod: your containers and volumes beside the agent's). Fix spec.template; until then the StatefulSet keeps the pod template it has.");
        }
        catch (ForbiddenException refused) when (IsAdmissionRefusal(refused))
        {
            problem = new ValidationProblem("spec.template",
                $"The API server's admission refuses the member pods this spec makes: {refused.Message}. Fix spec.template (the resources or security settings of your containers or of spec.agent) or the namespace's policy (a LimitRange, a pod security policy, an admission webhook); until then the StatefulSet keeps the pod template it has. Asked again every {AdmissionRecheck.TotalSeconds:0} s.");
            askAgainAt = context.Now + AdmissionRecheck;
        }
        catch (KubeApiException failed)
        {
            _logger.TemplateNotChecked(context.Namespace, context.Name, failed.Message);
            return null;
        }

        _checkedTemplates[key] = (text, problem, askAgainAt);
        context.TemplateRecheckAt = askAgainAt;
        return problem;
    }

    /// <summary>
    /// True when a 403 comes from admission of the pod itself (a LimitRange, a pod security
    /// policy, a webhook's denial), not from a full quota, which frees up as pods go, nor from
    /// the operator's own rights. The server says which only in its message.
    /// </summary>
    internal static bool IsAdmissionRefusal(ForbiddenException refused) =>
        !refused.Message.Contains("exceeded quota", StringComparison.Ordinal)
        && !refused.Message.Contains("cannot create resource", StringComparison.Ordinal);

    /// <summary>
    /// Member 0's pod as the StatefulSet controller would create it from <paramref name="statefulSet"/>:
    /// the template, a volume per claim template, hostname and subdomain. Its name is generated,
    /// so the dry run never meets a member that exists. No service account token is mounted: the
    /// check is about the template, not about whether the token Secret exists yet.
    /// </summary>
    internal static Pod MemberPod(StatefulSet statefulSet)
    {
        ArgumentNullException.ThrowIfNull(statefulSet);
        var name = statefulSet.Metadata.Name!;
        var template = statefulSet.Spec.Template;
        var spec = JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(template.Spec, KubeJsonContext.Default.PodSpec), KubeJsonContext.Default.PodSpec)!;
        spec.Volumes = [.. spec.Volumes ?? []];
        foreach (var claim in statefulSet.Spec.VolumeClaimTemplates ?? [])
        {
            var volume = claim.Metadata.Name!;
            spec.Volumes.Add(new Volume { Name = volume, PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = $"{volume}-{name}-0" } });
        }

        spec.Hostname = $"{name}-0";
        spec.Subdomain = statefulSet.Spec.ServiceName;
        spec.AutomountServiceAccountToken = false;
        return new Pod
        {
            Metadata = new ObjectMeta
            {
                GenerateName = $"{name}-",
                Namespace = statefulSet.Metadata.Namespace,
                Labels = template.Metadata.Labels,
                Annotations = template.Metadata.Annotations,
            },
            Spec = spec,
        };
    }

    /// <summary>The server's reasons, one per field where it names them (the message's first part names the generated pod).</summary>
    private static string RefusalDetails(InvalidException refused)
    {
        var causes = refused.Causes.Where(c => !string.IsNullOrEmpty(c.Message)).Select(c => string.IsNullOrEmpty(c.Field) ? c.Message! : $"{c.Field}: {c.Message}").ToList();
        return causes.Count > 0 ? string.Join("; ", causes) : refused.Message;
    }
}
