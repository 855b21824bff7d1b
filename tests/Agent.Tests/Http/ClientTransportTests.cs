using System.Net;
using System.Net.Sockets;
using System.Text;
using DataCluster.Agent.Http;
using DataCluster.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DataCluster.Agent.Tests.Http;

/// <summary>
/// The client port's transport under a web server of its own, over raw sockets and an HTTP
/// client: where requests and answers run, what a client that splits, stalls or vanishes does
/// to it, connections past the threaded ones, a port in use, and stopping.
/// </summary>
public sealed class ClientTransportTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Requests_run_on_their_connections_own_thread_and_a_kept_alive_connection_keeps_it()
    {
        await using var server = await TransportServer.StartAsync(new ClientTransport());
        using var socket = await server.ConnectAsync();

        // A connection's first request may run where the web server starts the connection, when
        // its bytes are there before the server first reads; every later one runs on its thread.
        await server.ExchangeAsync(socket, "GET /thread HTTP/1.1\r\nHost: t\r\n\r\n");
        var second = await server.ExchangeAsync(socket, "GET /thread HTTP/1.1\r\nHost: t\r\n\r\n");
        var third = await server.ExchangeAsync(socket, "GET /thread HTTP/1.1\r\nHost: t\r\n\r\n");

        Assert.StartsWith("client-connection ", second, StringComparison.Ordinal);
        Assert.Equal(second, third);
        Assert.Equal(1, server.Transport.ThreadedConnections);
    }

    [Fact]
    public async Task A_request_split_into_single_bytes_and_a_body_over_the_input_limit_arrive_whole()
    {
        await using var server = await TransportServer.StartAsync(new ClientTransport());
        using var socket = await server.ConnectAsync();
        // Three megabytes: three times the input pipe's pause threshold, so the connection's
        // thread waits for the handler to make room, several times over.
        var body = new byte[3 << 20];
        Random.Shared.NextBytes(body);
        var head = Encoding.ASCII.GetBytes($"POST /hash HTTP/1.1\r\nHost: t\r\nContent-Length: {body.Length}\r\n\r\n");
        foreach (var b in head)
        {
            await socket.SendAsync(new[] { b }, SocketFlags.None, Ct);
        }

        await socket.SendAsync(body, SocketFlags.None, Ct);

        var answer = await TransportServer.ReadAnswerAsync(socket);
        Assert.Equal(Hash(body), answer);
    }

    [Fact]
    public async Task A_client_that_does_not_read_its_answer_never_holds_the_thread_that_completed_it()
    {
        var completions = new CompletingThread();
        await using var server = await TransportServer.StartAsync(new ClientTransport(), completions);
        using var socket = await server.ConnectAsync();
        // A smaller receive buffer fills sooner; 16 MiB is far beyond any socket buffer here.
        socket.ReceiveBufferSize = 64 << 10;
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /large?mib=16 HTTP/1.1\r\nHost: t\r\n\r\n"), SocketFlags.None, Ct);

        // The answer is written from the completing thread, as the replication loop writes a
        // write's answer. Nothing reads it yet: the completion must still return.
        await Eventually.UntilAsync(() => completions.Waiting, Deadline, "the request waits for its completion");
        Assert.True(completions.CompleteOne(Deadline), "completing the answer returned while its client read nothing");

        var buffer = new byte[1 << 16];
        var expected = (16L << 20) + TransportServer.ReadHead(socket, buffer, out var received);
        while (received < expected)
        {
            var got = await socket.ReceiveAsync(buffer, SocketFlags.None, Ct);
            Assert.NotEqual(0, got);
            received += got;
        }

        Assert.Equal(expected, received);
    }

    [Fact]
    public async Task Connections_past_the_threaded_ones_are_served_on_the_thread_pool_and_threads_are_given_back()
    {
        var transport = new ClientTransport(maxThreaded: 2);
        await using var server = await TransportServer.StartAsync(transport);
        var sockets = new List<Socket>();
        var threads = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var socket = await server.ConnectAsync();
            sockets.Add(socket);
            // The second request: a connection's first may run where the web server starts the
            // connection, when its bytes are there before the server first reads.
            await server.ExchangeAsync(socket, "GET /thread HTTP/1.1\r\nHost: t\r\n\r\n");
            threads.Add(await server.ExchangeAsync(socket, "GET /thread HTTP/1.1\r\nHost: t\r\n\r\n"));
        }

        Assert.Equal(2, threads.Count(t => t.StartsWith("client-connection ", StringComparison.Ordinal)));
        Assert.Equal(2, transport.ThreadedConnections);
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        await Eventually.UntilAsync(() => transport.ThreadedConnections == 0, Deadline, "closed connections give their threads back");
        using var again = await server.ConnectAsync();
        await server.ExchangeAsync(again, "GET /thread HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.StartsWith("client-connection ", await server.ExchangeAsync(again, "GET /thread HTTP/1.1\r\nHost: t\r\n\r\n"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(0)]
    public async Task A_client_that_closes_mid_request_aborts_it(int maxThreaded)
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TransportServer.StartAsync(new ClientTransport(maxThreaded), aborted: aborted);
        var socket = await server.ConnectAsync();
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /hang HTTP/1.1\r\nHost: t\r\n\r\n"), SocketFlags.None, Ct);
        await Eventually.UntilAsync(() => server.Hanging, Deadline, "the request runs");

        socket.Dispose();

        await aborted.Task.WaitAsync(Deadline, Ct);
        await Eventually.UntilAsync(() => server.Transport.ThreadedConnections == 0, Deadline, "the connection's thread ends");
    }

    [Fact]
    public async Task Many_requests_over_many_connections_all_get_their_own_answer()
    {
        await using var server = await TransportServer.StartAsync(new ClientTransport(maxThreaded: 4));
        using var http = new HttpClient { BaseAddress = server.Address };
        var bodies = Enumerable.Range(0, 200).Select(i => Encoding.UTF8.GetBytes($"event {i} " + new string('x', i * 37))).ToArray();

        var answers = await Task.WhenAll(bodies.Select(async body =>
        {
            using var answer = await http.PostAsync("/hash", new ByteArrayContent(body), Ct);
            answer.EnsureSuccessStatusCode();
            return await answer.Content.ReadAsStringAsync(Ct);
        }));

        Assert.Equal(bodies.Select(Hash), answers);
    }

    [Fact]
    public async Task A_port_in_use_fails_the_start_and_stopping_closes_open_connections()
    {
        var transport = new ClientTransport();
        var server = await TransportServer.StartAsync(transport);
        using var idle = await server.ConnectAsync();
        await server.ExchangeAsync(idle, "GET /thread HTTP/1.1\r\nHost: t\r\n\r\n");

        await Assert.ThrowsAnyAsync<IOException>(() => TransportServer.StartAsync(new ClientTransport(), port: server.Address.Port));

        await server.DisposeAsync();
        var buffer = new byte[16];
        Assert.Equal(0, await idle.ReceiveAsync(buffer, SocketFlags.None, Ct).AsTask().WaitAsync(Deadline, Ct));
        await Eventually.UntilAsync(() => transport.ThreadedConnections == 0, Deadline, "the closed connection's thread ends");
    }

    private static string Hash(byte[] body) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(body));

    /// <summary>Completes, on a thread of its own, the one request waiting at <c>/large</c>.</summary>
    private sealed class CompletingThread
    {
        private readonly object _gate = new();
        private TaskCompletionSource? _pending;

        public bool Waiting
        {
            get
            {
                lock (_gate)
                {
                    return _pending is not null;
                }
            }
        }

        public Task Wait()
        {
            // Continuations inline, as the data plane's write completions: the answer is written
            // by the thread that completes it.
            var pending = new TaskCompletionSource(TaskCreationOptions.None);
            lock (_gate)
            {
                _pending = pending;
            }

            return pending.Task;
        }

        /// <summary>True when completing the waiting request returned within <paramref name="deadline"/>.</summary>
        public bool CompleteOne(TimeSpan deadline)
        {
            TaskCompletionSource pending;
            lock (_gate)
            {
                pending = _pending!;
            }

            var thread = new Thread(() => pending.SetResult()) { IsBackground = true };
            thread.Start();
            return thread.Join(deadline);
        }
    }

    private sealed class TransportServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _hanging;

        private TransportServer(WebApplication app, ClientTransport transport, Uri address)
        {
            _app = app;
            Transport = transport;
            Address = address;
        }

        public ClientTransport Transport { get; }

        public Uri Address { get; }

        public bool Hanging => Volatile.Read(ref _hanging) == 1;

        public static async Task<TransportServer> StartAsync(ClientTransport transport, CompletingThread? completions = null, TaskCompletionSource? aborted = null, int port = 0)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<IConnectionListenerFactory>(transport);
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
            var app = builder.Build();
            TransportServer? server = null;
            app.MapGet("/thread", () => Text($"{Thread.CurrentThread.Name} {Environment.CurrentManagedThreadId}"));
            app.MapPost("/hash", async (HttpRequest request) =>
            {
                using var copy = new MemoryStream();
                await request.Body.CopyToAsync(copy, request.HttpContext.RequestAborted);
                return Text(Hash(copy.ToArray()));
            });
            app.MapGet("/large", async (HttpContext context, int mib) =>
            {
                await completions!.Wait();
                var chunk = new byte[1 << 20];
                context.Response.ContentLength = (long)mib << 20;
                for (var i = 0; i < mib; i++)
                {
                    // Not awaited past the first pause: the rest is written as room appears.
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                }
            });
            app.MapGet("/hang", async (HttpContext context) =>
            {
                Volatile.Write(ref server!._hanging, 1);
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    aborted!.TrySetResult();
                }
            });
            try
            {
                await app.StartAsync(Ct);
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }

            var bound = app.Urls.Select(u => new Uri(u)).Single();
            server = new TransportServer(app, transport, bound);
            return server;
        }

        /// <summary>An answer with a Content-Length, which is how <see cref="ReadAnswerAsync"/> frames it.</summary>
        private static IResult Text(string text) => Results.Bytes(Encoding.UTF8.GetBytes(text), "text/plain");

        public async Task<Socket> ConnectAsync()
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, Address.Port, Ct);
            return socket;
        }

        /// <summary>Sends one request and reads its answer's body (Content-Length framing).</summary>
        public async Task<string> ExchangeAsync(Socket socket, string request)
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, Ct);
            return await ReadAnswerAsync(socket);
        }

        public static async Task<string> ReadAnswerAsync(Socket socket)
        {
            var received = new List<byte>();
            var buffer = new byte[4096];
            while (true)
            {
                var text = Encoding.ASCII.GetString(received.ToArray());
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end >= 0)
                {
                    var length = int.Parse(text.Split("\r\n").Single(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    Assert.StartsWith("HTTP/1.1 200", text, StringComparison.Ordinal);
                    if (received.Count >= end + 4 + length)
                    {
                        return Encoding.UTF8.GetString(received.ToArray(), end + 4, length);
                    }
                }

                var got = await socket.ReceiveAsync(buffer, SocketFlags.None, Ct).AsTask().WaitAsync(Deadline, Ct);
                Assert.NotEqual(0, got);
                received.AddRange(buffer.AsSpan(0, got).ToArray());
            }
        }

        /// <summary>Reads until an answer's head is complete; returns the head's length, with every byte read so far (the head and some of the body) in <paramref name="read"/>.</summary>
        public static long ReadHead(Socket socket, byte[] buffer, out long read)
        {
            var head = new List<byte>();
            while (true)
            {
                var got = socket.Receive(buffer);
                Assert.NotEqual(0, got);
                head.AddRange(buffer.AsSpan(0, got).ToArray());
                var end = Encoding.ASCII.GetString(head.ToArray()).IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end >= 0)
                {
                    read = head.Count;
                    return end + 4;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
    }
}
