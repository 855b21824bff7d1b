using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace DataCluster.Kube.Config;

/// <summary>
/// One run of an exec credential plugin: start the command without a terminal, hand it
/// KUBERNETES_EXEC_INFO, read the ExecCredential it prints and check it. Every failure is a
/// <see cref="KubeConfigException"/> whose message is one line naming the kubeconfig user, what
/// went wrong and what to do about it.
/// </summary>
internal static class ExecPluginRunner
{
    public const string ExecInfoVariable = "KUBERNETES_EXEC_INFO";

    private const string Kind = "ExecCredential";

    // Enough of the plugin's standard error to show its reason (an expired login, a missing
    // profile, a denied role) while the error stays one readable line.
    private const int MaxStderrChars = 400;

    /// <summary>A credential and when it stops working (null = until the server rejects it).</summary>
    public sealed record Result(Credential Credential, DateTimeOffset? Expires);

    public static async Task<Result> RunAsync(ExecCredentialPlugin plugin, KubeConfig config, CancellationToken cancellationToken)
    {
        var executable = Locate(plugin.Command) ?? throw Failure(plugin, config, NotFound(plugin), "");
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in plugin.Args)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in plugin.Env)
        {
            start.Environment[name] = value;
        }

        start.Environment[ExecInfoVariable] = ExecInfo(plugin, config);

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw Failure(plugin, config, $"cannot be started ({e.Message}); check that {executable} is an executable program", "", e);
        }

        // There is no terminal and nothing to type: a plugin that prompts reads end-of-file at once.
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(plugin.Timeout);
        try
        {
            // Also bounds the reads: a plugin that leaves a child holding its output open must not hang us.
            await Task.WhenAll(process.WaitForExitAsync(CancellationToken.None), output, errors).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill(process);
            throw Failure(plugin, config,
                $"did not finish within {plugin.Timeout.TotalSeconds:0.#} s and was stopped; run it by hand to see whether it waits for a login or a network", "");
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }

        var stderr = await errors.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw Failure(plugin, config, $"exited with code {process.ExitCode}; run it by hand to see why", stderr);
        }

        return Parse(plugin, config, await output.ConfigureAwait(false), stderr);
    }

    /// <summary>Reads and checks the plugin's output. The output is never quoted in errors: it may hold a token.</summary>
    internal static Result Parse(ExecCredentialPlugin plugin, KubeConfig config, string output, string stderr)
    {
        if (string.IsNullOrWhiteSpace(output))
        {
            throw Failure(plugin, config, "printed nothing on standard output, where an ExecCredential JSON document was expected", stderr);
        }

        ExecCredential? document;
        try
        {
            document = JsonSerializer.Deserialize(output, ExecCredentialJsonContext.Default.ExecCredential);
        }
        catch (JsonException e)
        {
            throw Failure(plugin, config, $"printed output that is not an ExecCredential JSON document (at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", stderr, e);
        }

        if (document is null)
        {
            throw Failure(plugin, config, "printed null instead of an ExecCredential JSON document", stderr);
        }

        if (document.Kind != Kind)
        {
            throw Failure(plugin, config, $"printed kind '{document.Kind}', expected {Kind}", stderr);
        }

        if (document.ApiVersion != plugin.ApiVersion)
        {
            throw Failure(plugin, config,
                $"printed apiVersion '{document.ApiVersion}' but the kubeconfig asks for {plugin.ApiVersion}; set users[{plugin.User}].user.exec.apiVersion to the version the plugin prints", stderr);
        }

        var status = document.Status;
        var token = string.IsNullOrEmpty(status?.Token) ? null : status.Token;
        var certificatePem = string.IsNullOrEmpty(status?.ClientCertificateData) ? null : status.ClientCertificateData;
        var keyPem = string.IsNullOrEmpty(status?.ClientKeyData) ? null : status.ClientKeyData;
        if (token is null && certificatePem is null && keyPem is null)
        {
            throw Failure(plugin, config, "printed an ExecCredential without status.token or status.clientCertificateData and clientKeyData", stderr);
        }

        if ((certificatePem is null) != (keyPem is null))
        {
            var missing = certificatePem is null ? "clientCertificateData" : "clientKeyData";
            throw Failure(plugin, config, $"printed a client certificate without status.{missing}; both are needed", stderr);
        }

        X509Certificate2? certificate = null;
        if (certificatePem is not null)
        {
            try
            {
                certificate = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            }
            catch (CryptographicException e)
            {
                throw Failure(plugin, config, $"printed a client certificate or key that cannot be loaded ({e.Message})", stderr, e);
            }
        }

        var expires = status!.ExpirationTimestamp;
        if (certificate is not null)
        {
            DateTimeOffset notAfter = certificate.NotAfter.ToUniversalTime();
            expires = expires is { } stated && stated < notAfter ? stated : notAfter;
        }

        return new Result(new Credential(token, certificate), expires);
    }

    /// <summary>What the plugin gets in KUBERNETES_EXEC_INFO: always the spec, and the cluster when asked for.</summary>
    internal static string ExecInfo(ExecCredentialPlugin plugin, KubeConfig config)
    {
        var document = new ExecCredential
        {
            ApiVersion = plugin.ApiVersion,
            Kind = Kind,
            Spec = new ExecCredentialSpec
            {
                Interactive = false,
                Cluster = plugin.ProvideClusterInfo ? Cluster(config) : null,
            },
        };
        return JsonSerializer.Serialize(document, ExecCredentialJsonContext.Default.ExecCredential);
    }

    private static ExecCluster Cluster(KubeConfig config) => new()
    {
        Server = config.Server.AbsoluteUri.TrimEnd('/'),
        TlsServerName = config.TlsServerName,
        InsecureSkipTlsVerify = config.InsecureSkipTlsVerify,
        CertificateAuthorityData = config.CertificateAuthorities is { Count: > 0 } authorities
            ? Encoding.ASCII.GetBytes(string.Concat(authorities.Select(c => c.ExportCertificatePem() + "\n")))
            : null,
        ProxyUrl = config.ProxyUrl?.OriginalString,
    };

    /// <summary>
    /// The program to start, found as kubectl finds it: a command with a directory in it is a
    /// path; a bare name is looked up in PATH only (Process.Start would also try the current
    /// directory and our own). Null when there is no such executable file.
    /// </summary>
    internal static string? Locate(string command)
    {
        if (command.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) || command.Contains('/', StringComparison.Ordinal))
        {
            return IsExecutable(command) ? command : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, command);
            if (IsExecutable(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & AnyExecute) != 0;
    }

    private static string NotFound(ExecCredentialPlugin plugin)
    {
        var where = plugin.Command.Contains('/', StringComparison.Ordinal) ? "is not an executable file" : "was not found in PATH";
        var fix = string.IsNullOrWhiteSpace(plugin.InstallHint)
            ? $"install it, or set users[{plugin.User}].user.exec.command to its full path"
            : plugin.InstallHint;
        return $"{where}; {fix}";
    }

    private static KubeConfigException Failure(ExecCredentialPlugin plugin, KubeConfig config, string what, string stderr, Exception? inner = null)
    {
        var source = config.Source is null ? "" : $"kubeconfig {config.Source} ";
        var message = OneLine($"{source}user '{plugin.User}': exec plugin {plugin.Command} {what}");
        var detail = OneLine(stderr);
        if (detail.Length > 0)
        {
            message += $" (stderr: {(detail.Length > MaxStderrChars ? detail[..MaxStderrChars] + "..." : detail)})";
        }

        return inner is null ? new KubeConfigException(message) : new KubeConfigException(message, inner);
    }

    /// <summary>Whitespace runs, line breaks included, become one space: the error is one log line.</summary>
    private static string OneLine(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited in the meantime.
        }
    }
}
