using System.Globalization;

namespace DataCluster.Kube.Tests.Support;

/// <summary>
/// Exec credential plugins as bash scripts in a temporary directory, and kubeconfig files that
/// run them. Each script appends a line to its own count file per run, so tests can tell how
/// often the client ran it.
/// </summary>
internal sealed class ExecPlugins : IDisposable
{
    public const string V1 = "client.authentication.k8s.io/v1";

    public ExecPlugins(string? directory = null)
    {
        Directory = directory ?? System.IO.Directory.CreateTempSubdirectory("exec-plugin-").FullName;
        _owned = directory is null;
    }

    private readonly bool _owned;

    public string Directory { get; }

    public void Dispose()
    {
        if (_owned)
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    /// <summary>
    /// Writes an executable bash script <paramref name="name"/> that counts its run in
    /// <c>name.count</c> (RUN holds the run number, from 1) and then runs <paramref name="body"/>.
    /// Returns its full path.
    /// </summary>
    public string Write(string name, string body)
    {
        var path = Path.Combine(Directory, name);
        var count = CountFile(name);
        File.WriteAllText(path, $"""
            #!/bin/bash
            echo run >> '{count}'
            RUN=$(wc -l < '{count}' | tr -d ' ')
            {body}

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    /// <summary>A script printing a v1 ExecCredential with token <paramref name="token"/> (may use $RUN) and an optional expiry.</summary>
    public string WriteTokenPlugin(string name, string token, DateTimeOffset? expires = null, string apiVersion = V1)
    {
        var expiry = expires is { } at ? $",\"expirationTimestamp\":\"{Rfc3339(at)}\"" : "";
        var json = $"{{\"apiVersion\":\"{apiVersion}\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{token}\"{expiry}}}}}";
        return Write(name, $"cat <<JSON\n{json}\nJSON");
    }

    public int Runs(string name)
    {
        var path = CountFile(name);
        return File.Exists(path) ? File.ReadAllLines(path).Length : 0;
    }

    /// <summary>A kubeconfig for <paramref name="server"/> whose user u runs the given exec entry (YAML lines under exec:).</summary>
    public string WriteKubeconfig(string name, Uri server, string execYaml, string clusterExtra = "", string? user = "u")
    {
        var path = Path.Combine(Directory, name);
        var exec = string.Join('\n', execYaml.Split('\n').Select(l => "      " + l.TrimEnd('\r')));
        var extra = clusterExtra.Length == 0 ? "" : "\n" + string.Join('\n', clusterExtra.Split('\n').Select(l => "    " + l.TrimEnd('\r')));
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            current-context: c
            clusters:
            - name: k
              cluster:
                server: {server.ToString().TrimEnd('/')}{extra}
            users:
            - name: {user}
              user:
                exec:
            {exec}
            contexts:
            - name: c
              context: {"{"}cluster: k, user: {user}{"}"}

            """);
        return path;
    }

    public static string Rfc3339(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private string CountFile(string name) => Path.Combine(Directory, name + ".count");
}
