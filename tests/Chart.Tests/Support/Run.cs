using System.Diagnostics;
using Xunit;

namespace DataCluster.Chart.Tests.Support;

/// <summary>The outcome of a finished process.</summary>
internal sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    /// <summary>Fails the test with the command's output unless it exited with 0.</summary>
    public ProcessResult Succeeded(string what)
    {
        Assert.True(ExitCode == 0, $"{what} exited with {ExitCode}:\n{Error}\n{Output}");
        return this;
    }
}

/// <summary>Runs a command to completion, standard input from <c>input</c>.</summary>
internal static class Run
{
    public static async Task<ProcessResult> ProcessAsync(string file, IEnumerable<string> arguments, string? input = null)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            WorkingDirectory = Repository.Root,
        };
        var cancellationToken = TestContext.Current.CancellationToken;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new ProcessResult(process.ExitCode, await output, await error);
    }
}
