using System.Net;
using System.Net.Http.Headers;
using DataCluster.Agent.Peers;
using Google.Protobuf;
using Xunit;
using W = DataCluster.Agent.Peers.Wire;

namespace DataCluster.Agent.Tests.Peers;

/// <summary>Hand-made HTTP requests to a peer port, as any client could send them (no code of the agent's sender).</summary>
internal static class PeerWire
{
    public const string StreamPath = "/datacluster.peer.v1/stream";

    /// <summary>
    /// Asks the peer port to upgrade an HTTP/1.1 connection to the peer protocol. When the peer
    /// answers 101, <paramref name="batches"/> are written as frames (<see cref="Frame"/>) and the
    /// connection is closed; any other answer is read whole.
    /// </summary>
    public static Task<HttpResponseMessage> StreamAsync(Uri peer, string? authorization, string to, params W.PeerBatch[] batches) =>
        StreamRawAsync(peer, authorization, to, [.. batches.SelectMany(Frame)]);

    /// <summary>A frame as a sender writes it: the batch's length (4 bytes, big-endian), then the batch.</summary>
    public static byte[] Frame(W.PeerBatch batch)
    {
        var bytes = batch.ToByteArray();
        var frame = new byte[4 + bytes.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame, bytes.Length);
        bytes.CopyTo(frame, 4);
        return frame;
    }

    /// <summary>As <see cref="StreamAsync"/>, writing <paramref name="raw"/> as it is once the peer answers 101.</summary>
    public static async Task<HttpResponseMessage> StreamRawAsync(Uri peer, string? authorization, string to, byte[] raw)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(peer, StreamPath))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue("datacluster-peer", "1"));
        request.Headers.TryAddWithoutValidation(PeerHeaders.To, to);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("authorization", authorization);
        }

        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
        {
            await response.Content.LoadIntoBufferAsync(ct);
            return response;
        }

        await using (var stream = await response.Content.ReadAsStreamAsync(ct))
        {
            await stream.WriteAsync(raw, ct);
            await stream.FlushAsync(ct);
        }

        return response;
    }

    /// <summary>A plain GET over HTTP/1.1.</summary>
    public static Task<HttpResponseMessage> GetAsync(Uri baseAddress, string path, string? authorization) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, path)), authorization);

    private static async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string? authorization)
    {
        request.Version = HttpVersion.Version11;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("authorization", authorization);
        }

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        await response.Content.LoadIntoBufferAsync(TestContext.Current.CancellationToken);
        return response;
    }
}
