using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DataCluster.Kube.Config;

/// <summary>
/// Reads a kubeconfig file. Uses YamlDotNet's representation model (a plain node tree) rather
/// than its object mapper, so there is no reflection and the library stays trimmable.
/// </summary>
internal static partial class KubeConfigFile
{
    public static KubeConfig Load(string path, string? contextName)
    {
        var fullPath = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KubeConfigException($"Cannot read kubeconfig {fullPath}: {e.Message}", e);
        }

        return Parse(text, fullPath, contextName);
    }

    /// <summary>Parses kubeconfig text; relative file paths are resolved against <paramref name="sourcePath"/>'s directory.</summary>
    public static KubeConfig Parse(string text, string sourcePath, string? contextName)
    {
        var file = new Reader(sourcePath);
        var root = file.ParseRoot(text);

        var currentContext = contextName ?? file.OptionalString(root, "current-context", "");
        if (string.IsNullOrEmpty(currentContext))
        {
            throw file.Error("has no current-context and no context was requested");
        }

        var context = file.Named(root, "contexts", currentContext, "context");
        var clusterName = file.RequiredString(context, "cluster", $"contexts[{currentContext}].context");
        var userName = file.OptionalString(context, "user", $"contexts[{currentContext}].context");
        var ns = file.OptionalString(context, "namespace", $"contexts[{currentContext}].context");

        var cluster = file.Named(root, "clusters", clusterName, "cluster");
        var clusterWhere = $"clusters[{clusterName}].cluster";
        var serverText = file.RequiredString(cluster, "server", clusterWhere);
        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server) || (server.Scheme != Uri.UriSchemeHttps && server.Scheme != Uri.UriSchemeHttp))
        {
            throw file.Error($"{clusterWhere}.server is '{serverText}', which is not an http(s) URL");
        }

        var config = new KubeConfig
        {
            Server = server,
            Namespace = string.IsNullOrEmpty(ns) ? "default" : ns,
            InsecureSkipTlsVerify = file.OptionalBool(cluster, "insecure-skip-tls-verify", clusterWhere),
            TlsServerName = file.OptionalString(cluster, "tls-server-name", clusterWhere),
            CertificateAuthorities = file.Certificates(cluster, "certificate-authority", clusterWhere),
            ProxyUrl = ProxyUrl(file, cluster, clusterWhere),
            Source = sourcePath,
        };

        if (string.IsNullOrEmpty(userName))
        {
            return config;
        }

        var user = file.Named(root, "users", userName, "user");
        var userWhere = $"users[{userName}].user";
        if (user.Children.TryGetValue(new YamlScalarNode("auth-provider"), out var authProvider))
        {
            throw file.Error(AuthProviderRefusal(file, userName, authProvider));
        }

        var tokenFile = file.OptionalString(user, "tokenFile", userWhere);
        return config with
        {
            Exec = Exec(file, user, userName, userWhere),
            Token = file.OptionalString(user, "token", userWhere),
            TokenFile = string.IsNullOrEmpty(tokenFile) ? null : file.Resolve(tokenFile),
            Username = file.OptionalString(user, "username", userWhere),
            Password = file.OptionalString(user, "password", userWhere),
            ClientCertificate = file.ClientCertificate(user, userWhere),
            ImpersonateUser = file.OptionalString(user, "as", userWhere),
            ImpersonateGroups = file.OptionalStrings(user, "as-groups", userWhere),
        };
    }

    private static Uri? ProxyUrl(Reader file, YamlMappingNode cluster, string where)
    {
        var text = file.OptionalString(cluster, "proxy-url", where);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var proxy) && proxy.Scheme is "http" or "https" or "socks5" or "socks4" or "socks4a"
            ? proxy
            : throw file.Error($"has {where}.proxy-url '{text}', which is not an http, https or socks5 URL");
    }

    /// <summary>Reading helpers that know the file name, so every error can say where it is.</summary>
    private sealed class Reader(string sourcePath)
    {
        public KubeConfigException Error(string what, Exception? inner = null)
        {
            var message = $"kubeconfig {sourcePath} {what}.";
            return inner is null ? new KubeConfigException(message) : new KubeConfigException(message, inner);
        }

        public YamlMappingNode ParseRoot(string text)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException e)
            {
                throw Error($"is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.Message}", e);
            }

            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                throw Error("is empty or not a mapping");
            }

            return root;
        }

        public YamlMappingNode Named(YamlMappingNode root, string listKey, string name, string innerKey)
        {
            if (!root.Children.TryGetValue(new YamlScalarNode(listKey), out var list) || list is not YamlSequenceNode items)
            {
                throw Error($"has no '{listKey}' list, so '{name}' cannot be found");
            }

            foreach (var item in items)
            {
                if (item is YamlMappingNode entry && OptionalString(entry, "name", listKey) == name)
                {
                    if (entry.Children.TryGetValue(new YamlScalarNode(innerKey), out var inner) && inner is YamlMappingNode mapping)
                    {
                        return mapping;
                    }

                    throw Error($"has {listKey}[{name}] without a '{innerKey}' mapping");
                }
            }

            throw Error($"has no entry named '{name}' in '{listKey}'");
        }

        public string? OptionalString(YamlMappingNode node, string key, string where)
        {
            if (!node.Children.TryGetValue(new YamlScalarNode(key), out var value))
            {
                return null;
            }

            return value switch
            {
                YamlScalarNode scalar => scalar.Value,
                _ => throw Error($"has {where}.{key} that is not a plain value"),
            };
        }

        public string RequiredString(YamlMappingNode node, string key, string where)
        {
            var value = OptionalString(node, key, where);
            return string.IsNullOrEmpty(value) ? throw Error($"lacks {where}.{key}") : value;
        }

        public bool OptionalBool(YamlMappingNode node, string key, string where)
        {
            var value = OptionalString(node, key, where);
            if (string.IsNullOrEmpty(value))
            {
                return false;
            }

            return bool.TryParse(value, out var result) ? result : throw Error($"has {where}.{key} '{value}', expected true or false");
        }

        public IReadOnlyList<string> OptionalStrings(YamlMappingNode node, string key, string where)
        {
            if (!node.Children.TryGetValue(new YamlScalarNode(key), out var value))
            {
                return [];
            }

            if (value is not YamlSequenceNode sequence)
            {
                throw Error($"has {where}.{key} that is not a list");
            }

            return sequence.Select(n => n is YamlScalarNode s && s.Value is not null ? s.Value : throw Error($"has a non-text entry in {where}.{key}")).ToList();
        }

        public string Resolve(string path) =>
            Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourcePath) ?? ".", path));

        /// <summary>PEM text from "KEY-data" (base64) or the file named by "KEY"; null when neither is set.</summary>
        public string? Pem(YamlMappingNode node, string key, string where)
        {
            var data = OptionalString(node, key + "-data", where);
            if (!string.IsNullOrEmpty(data))
            {
                try
                {
                    return Encoding.ASCII.GetString(Convert.FromBase64String(data));
                }
                catch (FormatException e)
                {
                    throw Error($"has {where}.{key}-data that is not base64", e);
                }
            }

            var file = OptionalString(node, key, where);
            if (string.IsNullOrEmpty(file))
            {
                return null;
            }

            var resolved = Resolve(file);
            try
            {
                return File.ReadAllText(resolved);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Error($"names {where}.{key} {resolved}, which cannot be read: {e.Message}", e);
            }
        }

        public X509Certificate2Collection? Certificates(YamlMappingNode node, string key, string where)
        {
            var pem = Pem(node, key, where);
            if (pem is null)
            {
                return null;
            }

            var collection = new X509Certificate2Collection();
            try
            {
                collection.ImportFromPem(pem);
            }
            catch (CryptographicException e)
            {
                throw Error($"has {where}.{key}(-data) that holds no valid PEM certificate: {e.Message}", e);
            }

            return collection.Count > 0 ? collection : throw Error($"has {where}.{key}(-data) without any PEM certificate");
        }

        public X509Certificate2? ClientCertificate(YamlMappingNode user, string where)
        {
            var certificate = Pem(user, "client-certificate", where);
            var key = Pem(user, "client-key", where);
            if (certificate is null && key is null)
            {
                return null;
            }

            if (certificate is null || key is null)
            {
                var missing = certificate is null ? "client-certificate" : "client-key";
                throw Error($"lacks {where}.{missing}(-data): a client certificate needs both the certificate and its key");
            }

            try
            {
                return X509Certificate2.CreateFromPem(certificate, key);
            }
            catch (CryptographicException e)
            {
                throw Error($"has a client certificate or key in {where} that cannot be loaded: {e.Message}", e);
            }
        }
    }

}
