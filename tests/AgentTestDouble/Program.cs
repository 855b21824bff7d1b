using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataCluster.AgentTestDouble;

/// <summary>
/// A stand-in for the agent in the local node's tests. It listens where the agent would
/// (DATACLUSTER_BIND_ADDRESS:DATACLUSTER_CLIENT_PORT) and answers:
/// <list type="bullet">
/// <item>GET /readyz: 200, or 503 while a file named not-ready exists in DATACLUSTER_DATA_DIR;</item>
/// <item>GET /env: its whole environment as a JSON object;</item>
/// <item>GET /starts: the pids of every start with this data directory, one a line (it appends its own at start);</item>
/// <item>GET /file/NAME: the contents of the file the environment variable NAME names (404 when unset or unreadable).</item>
/// </list>
/// On SIGTERM it appends "stopped PID" to DATACLUSTER_DATA_DIR/stops and exits 0, unless
/// TEST_DOUBLE_IGNORE_SIGTERM=true, in which case only SIGKILL ends it.
/// </summary>
public static class Program
{
    public static async Task<int> Main()
    {
        var address = IPAddress.Parse(Variable("DATACLUSTER_BIND_ADDRESS", "127.0.0.1"));
        var port = int.Parse(Variable("DATACLUSTER_CLIENT_PORT", "8080"), CultureInfo.InvariantCulture);
        var data = Variable("DATACLUSTER_DATA_DIR", Directory.GetCurrentDirectory());
        Directory.CreateDirectory(data);
        await File.AppendAllTextAsync(Path.Combine(data, "starts"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n").ConfigureAwait(false);

        using var stop = new CancellationTokenSource();
        var ignoreTerm = Variable("TEST_DOUBLE_IGNORE_SIGTERM", "") == "true";
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true; // we decide how to exit
            if (!ignoreTerm)
            {
                File.AppendAllText(Path.Combine(data, "stops"), $"stopped {Environment.ProcessId}\n");
                stop.Cancel();
            }
        });

        var listener = new TcpListener(address, port);
        listener.Start();
        Console.WriteLine($"agent test double {Environment.ProcessId} listening on {address}:{port}, data in {data}");
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token).ConfigureAwait(false);
                _ = Task.Run(() => ServeAsync(client, data), CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            listener.Stop();
        }

        return 0;
    }

    private static string Variable(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;

    private static async Task ServeAsync(TcpClient client, string data)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                var requestLine = await reader.ReadLineAsync().ConfigureAwait(false) ?? "";
                while (!string.IsNullOrEmpty(await reader.ReadLineAsync().ConfigureAwait(false)))
                {
                    // Headers are not needed.
                }

                var path = requestLine.Split(' ') is [_, var p, ..] ? p : "/";
                var (status, body) = path switch
                {
                    "/readyz" => File.Exists(Path.Combine(data, "not-ready")) ? (503, "not ready\n") : (200, "ok\n"),
                    "/env" => (200, JsonSerializer.Serialize(AllVariables(), TestDoubleJson.Default.DictionaryStringString)),
                    "/starts" => (200, ReadOrEmpty(Path.Combine(data, "starts"))),
                    _ when path.StartsWith("/file/", StringComparison.Ordinal) => FileNamedBy(path["/file/".Length..]),
                    _ => (404, "not found\n"),
                };
                var bytes = Encoding.UTF8.GetBytes(body);
                var head = $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Error")}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head)).ConfigureAwait(false);
                await stream.WriteAsync(bytes).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The prober gave up on us; nothing to do.
            }
        }
    }

    private static Dictionary<string, string> AllVariables()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = entry.Value as string ?? "";
        }

        return result;
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    private static (int Status, string Body) FileNamedBy(string variable)
    {
        try
        {
            return Environment.GetEnvironmentVariable(variable) is { Length: > 0 } file ? (200, File.ReadAllText(file)) : (404, $"{variable} is not set\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (404, $"{e.Message}\n");
        }
    }
}

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class TestDoubleJson : JsonSerializerContext;
