using System.Diagnostics;

namespace DataCluster.Demo;

/// <summary>Runs the real kubectl (from PATH) against the demo's API server and returns what it printed.</summary>
internal sealed class Kubectl(string kubeconfig, string workingDirectory)
{
    /// <summary>kubectl answers a local API server within seconds; this only catches a hang.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The command line as a user would type it, and its output (stdout and stderr).</summary>
    public async Task<(string CommandLine, string Output, int ExitCode)> RunAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var info = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.Environment["KUBECONFIG"] = kubeconfig;
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new DemoException("kubectl could not be started.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DemoException($"kubectl is not on PATH ({e.Message}). Run the demo with 'make demo', or put the directory 'hack/tools.sh' prints on PATH.");
        }

        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill();
                throw new DemoException($"kubectl {string.Join(' ', arguments)} did not finish within {Timeout.TotalSeconds:0} s.");
            }

            var output = (await stdout) + (await stderr);
            return ("kubectl " + string.Join(' ', arguments), output.TrimEnd(), process.ExitCode);
        }
    }
}

/// <summary>A demo step failed; the message says what and how to fix it.</summary>
internal sealed class DemoException : Exception
{
    public DemoException()
    {
    }

    public DemoException(string message)
        : base(message)
    {
    }

    public DemoException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
