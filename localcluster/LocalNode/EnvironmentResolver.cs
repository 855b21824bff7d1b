using System.Text;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// Computes a container's environment the way the kubelet does: every envFrom source in order,
/// then every env entry in order (a literal value with $(VAR) expansion, a downward-API field,
/// a Secret or ConfigMap key read from the API); a later definition of a name wins.
/// </summary>
/// <remarks>
/// Stateless and thread-safe. resourceFieldRef is not supported (the local node does no resource
/// accounting) and is reported as a configuration error naming the variable. Service links
/// (the FOO_SERVICE_HOST variables) are not injected.
/// </remarks>
public static class EnvironmentResolver
{
    /// <summary>The resolved variables, in definition order, names unique.</summary>
    /// <param name="pod">The bound pod (spec.nodeName set).</param>
    /// <param name="container">One of its containers.</param>
    /// <param name="podIp">The pod's address (status.podIP may not be written yet).</param>
    /// <param name="hostIp">The node's address (status.hostIP).</param>
    /// <param name="reader">Reads the Secrets and ConfigMaps the container refers to.</param>
    /// <exception cref="ContainerConfigException">A reference cannot be resolved; the message says which and why.</exception>
    public static async Task<IReadOnlyList<KeyValuePair<string, string>>> ResolveAsync(
        Pod pod, Container container, string podIp, string hostIp, IKubeReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(reader);
        var ns = pod.Metadata.Namespace ?? "";
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();

        void Set(string name, string value)
        {
            if (values.TryAdd(name, value))
            {
                order.Add(name);
            }
            else
            {
                values[name] = value;
            }
        }

        foreach (var source in container.EnvFrom ?? [])
        {
            var prefix = source.Prefix ?? "";
            if (source.ConfigMapRef is { } configMapRef)
            {
                var configMap = await reader.GetAsync(KubeResources.ConfigMaps, ns, configMapRef.Name ?? "", cancellationToken).ConfigureAwait(false);
                if (configMap is null)
                {
                    if (configMapRef.Optional != true)
                    {
                        throw new ContainerConfigException($"configmap \"{configMapRef.Name}\" not found");
                    }

                    continue;
                }

                foreach (var (key, value) in configMap.Data ?? [])
                {
                    Set(prefix + key, value);
                }
            }
            else if (source.SecretRef is { } secretRef)
            {
                var secret = await reader.GetAsync(KubeResources.Secrets, ns, secretRef.Name ?? "", cancellationToken).ConfigureAwait(false);
                if (secret is null)
                {
                    if (secretRef.Optional != true)
                    {
                        throw new ContainerConfigException($"secret \"{secretRef.Name}\" not found");
                    }

                    continue;
                }

                foreach (var (key, value) in secret.Data ?? [])
                {
                    Set(prefix + key, Encoding.UTF8.GetString(value));
                }
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            if (variable.ValueFrom is not { } from)
            {
                Set(variable.Name, VariableExpansion.Expand(variable.Value ?? "", name => values.GetValueOrDefault(name)));
                continue;
            }

            if (from.FieldRef is { } field)
            {
                Set(variable.Name, FieldValue(pod, field.FieldPath, podIp, hostIp, variable.Name));
            }
            else if (from.SecretKeyRef is { } secretKey)
            {
                var secret = await reader.GetAsync(KubeResources.Secrets, ns, secretKey.Name ?? "", cancellationToken).ConfigureAwait(false);
                if (secret?.Data?.TryGetValue(secretKey.Key, out var bytes) == true)
                {
                    Set(variable.Name, Encoding.UTF8.GetString(bytes));
                }
                else if (secretKey.Optional != true)
                {
                    throw new ContainerConfigException(secret is null
                        ? $"secret \"{secretKey.Name}\" not found (env {variable.Name})"
                        : $"couldn't find key {secretKey.Key} in Secret {ns}/{secretKey.Name} (env {variable.Name})");
                }
            }
            else if (from.ConfigMapKeyRef is { } configMapKey)
            {
                var configMap = await reader.GetAsync(KubeResources.ConfigMaps, ns, configMapKey.Name ?? "", cancellationToken).ConfigureAwait(false);
                if (configMap?.Data?.TryGetValue(configMapKey.Key, out var text) == true)
                {
                    Set(variable.Name, text);
                }
                else if (configMapKey.Optional != true)
                {
                    throw new ContainerConfigException(configMap is null
                        ? $"configmap \"{configMapKey.Name}\" not found (env {variable.Name})"
                        : $"couldn't find key {configMapKey.Key} in ConfigMap {ns}/{configMapKey.Name} (env {variable.Name})");
                }
            }
            else if (from.ResourceFieldRef is not null)
            {
                throw new ContainerConfigException($"env {variable.Name}: resourceFieldRef is not supported by the local node (it does no resource accounting)");
            }
            else
            {
                throw new ContainerConfigException($"env {variable.Name}: valueFrom names no source");
            }
        }

        return [.. order.Select(name => new KeyValuePair<string, string>(name, values[name]))];
    }

    /// <summary>A downward-API field of the pod, as the kubelet resolves it.</summary>
    /// <exception cref="ContainerConfigException">The path is not one the downward API supports.</exception>
    public static string FieldValue(Pod pod, string fieldPath, string podIp, string hostIp, string variable)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(fieldPath);
        var meta = pod.Metadata;
        if (TryMapKey(fieldPath, "metadata.labels", out var label))
        {
            return meta.Labels?.GetValueOrDefault(label) ?? "";
        }

        if (TryMapKey(fieldPath, "metadata.annotations", out var annotation))
        {
            return meta.Annotations?.GetValueOrDefault(annotation) ?? "";
        }

        return fieldPath switch
        {
            "metadata.name" => meta.Name ?? "",
            "metadata.namespace" => meta.Namespace ?? "",
            "metadata.uid" => meta.Uid ?? "",
            "spec.nodeName" => pod.Spec.NodeName ?? "",
            "spec.serviceAccountName" => pod.Spec.ServiceAccountName ?? "default",
            "status.podIP" or "status.podIPs" => podIp,
            "status.hostIP" or "status.hostIPs" => hostIp,
            _ => throw new ContainerConfigException($"env {variable}: unsupported fieldRef path \"{fieldPath}\""),
        };
    }

    /// <summary>Parses metadata.labels['key'] (or with double quotes).</summary>
    private static bool TryMapKey(string path, string map, out string key)
    {
        key = "";
        if (!path.StartsWith(map + "[", StringComparison.Ordinal) || !path.EndsWith(']'))
        {
            return false;
        }

        var inner = path[(map.Length + 1)..^1];
        if (inner.Length < 2 || inner[0] != inner[^1] || inner[0] is not ('\'' or '"'))
        {
            return false;
        }

        key = inner[1..^1];
        return true;
    }
}
