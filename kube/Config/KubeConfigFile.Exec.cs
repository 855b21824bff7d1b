using YamlDotNet.RepresentationModel;

namespace DataCluster.Kube.Config;

/// <summary>The credential entries of a kubeconfig user that run or name another program: exec and auth-provider.</summary>
internal static partial class KubeConfigFile
{
    /// <summary>The user's exec entry, or null. Refuses what cannot work here, saying what to change.</summary>
    private static ExecCredentialPlugin? Exec(Reader file, YamlMappingNode user, string userName, string userWhere)
    {
        if (!user.Children.TryGetValue(new YamlScalarNode("exec"), out var node))
        {
            return null;
        }

        var where = userWhere + ".exec";
        if (node is not YamlMappingNode exec)
        {
            throw file.Error($"has {where} that is not a mapping");
        }

        var command = file.RequiredString(exec, "command", where);
        var apiVersion = file.RequiredString(exec, "apiVersion", where);
        if (apiVersion is not (ExecCredentialPlugin.V1 or ExecCredentialPlugin.V1Beta1))
        {
            throw file.Error($"has {where}.apiVersion '{apiVersion}'; use {ExecCredentialPlugin.V1} or {ExecCredentialPlugin.V1Beta1}, whichever the plugin prints (v1alpha1 was removed in Kubernetes 1.24)");
        }

        var modeText = file.OptionalString(exec, "interactiveMode", where);
        var mode = modeText switch
        {
            null or "" when apiVersion == ExecCredentialPlugin.V1Beta1 => ExecInteractiveMode.IfAvailable, // v1beta1's default
            null or "" => throw file.Error($"lacks {where}.interactiveMode, which {ExecCredentialPlugin.V1} requires; set it to Never for a plugin that needs no terminal"),
            "Never" => ExecInteractiveMode.Never,
            "IfAvailable" => ExecInteractiveMode.IfAvailable,
            "Always" => throw file.Error($"has {where}.interactiveMode Always, but this program never has a terminal for the plugin to prompt on; log in with the plugin beforehand and set interactiveMode to Never or IfAvailable"),
            _ => throw file.Error($"has {where}.interactiveMode '{modeText}'; use Never, IfAvailable or Always"),
        };

        return new ExecCredentialPlugin
        {
            User = userName,
            // As kubectl: a relative path (one with a directory in it) is relative to this file; a bare name is looked up in PATH.
            Command = command.Contains('/', StringComparison.Ordinal) ? file.Resolve(command) : command,
            Args = file.OptionalStrings(exec, "args", where),
            Env = ExecEnv(file, exec, where),
            ApiVersion = apiVersion,
            InteractiveMode = mode,
            ProvideClusterInfo = file.OptionalBool(exec, "provideClusterInfo", where),
            InstallHint = file.OptionalString(exec, "installHint", where),
        };
    }

    private static List<KeyValuePair<string, string>> ExecEnv(Reader file, YamlMappingNode exec, string where)
    {
        var env = new List<KeyValuePair<string, string>>();
        if (!exec.Children.TryGetValue(new YamlScalarNode("env"), out var node) || node is YamlScalarNode { Value: null or "" })
        {
            return env;
        }

        if (node is not YamlSequenceNode entries)
        {
            throw file.Error($"has {where}.env that is not a list of name/value pairs");
        }

        foreach (var entry in entries)
        {
            if (entry is not YamlMappingNode pair)
            {
                throw file.Error($"has an entry in {where}.env that is not a name/value pair");
            }

            var name = file.RequiredString(pair, "name", where + ".env[]");
            env.Add(new(name, file.OptionalString(pair, "value", $"{where}.env[{name}]") ?? ""));
        }

        return env;
    }

    /// <summary>
    /// Why an auth-provider entry is refused and what replaces it. Kubernetes removed the in-tree
    /// providers from its clients (gcp and azure in 1.26, oidc is deprecated); each has an exec
    /// plugin that does the same job.
    /// </summary>
    private static string AuthProviderRefusal(Reader file, string userName, YamlNode authProvider)
    {
        var name = authProvider is YamlMappingNode mapping ? file.OptionalString(mapping, "name", $"users[{userName}].user.auth-provider") : null;
        var replacement = name switch
        {
            "gcp" => "gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin; then gcloud container clusters get-credentials writes the exec entry)",
            "azure" => "kubelogin (az aks install-cli; then kubelogin convert-kubeconfig writes the exec entry)",
            "oidc" => "an OIDC plugin such as kubelogin (kubectl oidc-login)",
            _ => "the one your cloud or identity provider documents",
        };
        return $"has user '{userName}' with auth-provider '{name ?? "(unnamed)"}', which Kubernetes clients no longer support; " +
            $"replace users[{userName}].user.auth-provider with an exec credential plugin: {replacement}";
    }
}
