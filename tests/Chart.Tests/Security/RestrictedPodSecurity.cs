using System.Text.Json.Nodes;
using DataCluster.Chart.Tests.Support;

namespace DataCluster.Chart.Tests.Security;

/// <summary>A rule of the restricted Pod Security Standard a pod breaks, and where: "pod" or a container name.</summary>
internal sealed record Violation(string Rule, string Where, string Detail);

/// <summary>
/// The restricted Pod Security Standard (which includes the baseline one) as a pure check of a
/// pod or pod template (an object with metadata and spec), following the rules Kubernetes
/// documents for the latest version of the profile. Kubernetes 1.20 has no Pod Security
/// admission (it came in 1.22), so the tests use this checker instead.
/// </summary>
internal static class RestrictedPodSecurity
{
    private static readonly HashSet<string> AllowedVolumeTypes = new(StringComparer.Ordinal)
    {
        "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
    };

    private static readonly HashSet<string> SafeSysctls = new(StringComparer.Ordinal)
    {
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
    };

    private static readonly HashSet<string> AllowedSeLinuxTypes = new(StringComparer.Ordinal)
    {
        "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t",
    };

    private const string AppArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/";

    /// <summary>Every violation of <paramref name="pod"/>; empty when it meets the restricted profile.</summary>
    public static IReadOnlyList<Violation> Check(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var spec = pod["spec"]?.AsObject() ?? [];
        var podContext = spec["securityContext"]?.AsObject();
        var violations = new List<Violation>();
        void Add(string rule, string where, string detail) => violations.Add(new Violation(rule, where, detail));

        foreach (var field in new[] { "hostNetwork", "hostPID", "hostIPC" })
        {
            if (True(spec[field]))
            {
                Add("hostNamespaces", "pod", $"{field} is true");
            }
        }

        foreach (var volume in Items(spec["volumes"]))
        {
            var type = volume.Select(p => p.Key).FirstOrDefault(k => k != "name") ?? "";
            if (type == "hostPath")
            {
                Add("hostPathVolumes", "pod", $"volume {volume["name"]} is a hostPath");
            }
            else if (!AllowedVolumeTypes.Contains(type))
            {
                Add("volumeTypes", "pod", $"volume {volume["name"]} is of type {type}");
            }
        }

        foreach (var sysctl in Items(podContext?["sysctls"]))
        {
            if (!SafeSysctls.Contains((string?)sysctl["name"] ?? ""))
            {
                Add("sysctls", "pod", $"sysctl {sysctl["name"]} is not a safe one");
            }
        }

        if (podContext is not null)
        {
            CheckIdentity(podContext, "pod", Add);
        }

        var podSeccomp = (string?)podContext?["seccompProfile"]?["type"];
        var podNonRoot = True(podContext?["runAsNonRoot"]);
        var annotations = pod["metadata"]?["annotations"]?.AsObject() ?? [];
        foreach (var (key, value) in annotations)
        {
            if (key.StartsWith(AppArmorAnnotationPrefix, StringComparison.Ordinal) && (string?)value is not ("runtime/default" or null) && !((string?)value ?? "").StartsWith("localhost/", StringComparison.Ordinal))
            {
                Add("appArmorProfile", key[AppArmorAnnotationPrefix.Length..], $"AppArmor profile {value}");
            }
        }

        foreach (var container in new[] { "initContainers", "containers", "ephemeralContainers" }.SelectMany(list => Items(spec[list])))
        {
            var name = (string?)container["name"] ?? "?";
            var context = container["securityContext"]?.AsObject();
            if (True(context?["privileged"]))
            {
                Add("privileged", name, "privileged is true");
            }

            if (context?["allowPrivilegeEscalation"] is not JsonValue escalation || escalation.GetValue<bool>())
            {
                Add("allowPrivilegeEscalation", name, "allowPrivilegeEscalation is not false");
            }

            var drop = Strings(context?["capabilities"]?["drop"]);
            if (!drop.Contains("ALL"))
            {
                Add("capabilities", name, "capabilities.drop does not contain ALL");
            }

            foreach (var added in Strings(context?["capabilities"]?["add"]).Where(c => c != "NET_BIND_SERVICE"))
            {
                Add("capabilities", name, $"adds capability {added}");
            }

            var nonRoot = context?["runAsNonRoot"] is JsonValue explicitNonRoot ? explicitNonRoot.GetValue<bool>() : podNonRoot;
            if (!nonRoot)
            {
                Add("runAsNonRoot", name, "runAsNonRoot is not true (for the container or the pod)");
            }

            var seccomp = (string?)context?["seccompProfile"]?["type"] ?? podSeccomp;
            if (seccomp is not ("RuntimeDefault" or "Localhost"))
            {
                Add("seccompProfile", name, $"seccompProfile is {seccomp ?? "unset"} (for the container and the pod)");
            }

            if (context is not null)
            {
                CheckIdentity(context, name, Add);
                if ((string?)context["procMount"] is { } procMount && procMount != "Default")
                {
                    Add("procMount", name, $"procMount is {procMount}");
                }

                if ((string?)context["appArmorProfile"]?["type"] == "Unconfined")
                {
                    Add("appArmorProfile", name, "appArmorProfile is Unconfined");
                }
            }

            foreach (var port in Items(container["ports"]))
            {
                if (port["hostPort"] is JsonValue hostPort && JsonText.Integer(hostPort) != 0)
                {
                    Add("hostPorts", name, $"hostPort {hostPort}");
                }
            }
        }

        return violations;
    }

    /// <summary>The rules a pod-level and a container-level security context share.</summary>
    private static void CheckIdentity(JsonObject context, string where, Action<string, string, string> add)
    {
        if (context["runAsUser"] is JsonValue user && JsonText.Integer(user) == 0)
        {
            add("runAsUser", where, "runAsUser is 0");
        }

        if ((string?)context["seccompProfile"]?["type"] == "Unconfined")
        {
            add("seccompProfile", where, "seccompProfile is Unconfined");
        }

        if (context["seLinuxOptions"] is JsonObject seLinux
            && (!AllowedSeLinuxTypes.Contains((string?)seLinux["type"] ?? "") || seLinux["user"] is not null || seLinux["role"] is not null))
        {
            add("seLinuxOptions", where, "seLinuxOptions sets a user, a role or a type outside the container types");
        }

        if (True(context["windowsOptions"]?["hostProcess"]))
        {
            add("windowsHostProcess", where, "windowsOptions.hostProcess is true");
        }
    }

    private static bool True(JsonNode? node) => node is JsonValue value && value.GetValue<bool>();

    private static IEnumerable<JsonObject> Items(JsonNode? list) => list?.AsArray().OfType<JsonObject>() ?? [];

    private static HashSet<string> Strings(JsonNode? list) => [.. list?.AsArray().Select(s => (string?)s ?? "") ?? []];
}
