using System.Buffers.Binary;
using System.Net;
using DataCluster.Agent.Peers;
using Google.Protobuf;
using Xunit;
using W = DataCluster.Agent.Peers.Wire;

namespace DataCluster.Agent.Tests.Peers;

/// <summary>Hand-made HTTP requests to a peer port, as any client could send them (no gRPC library).</summary>
internal static class PeerWire
{
    public const string ExchangePath = "/datacluster.peer.v1.Peer/Exchange";

    /// <summary>One gRPC call carrying <paramref name="batch"/> over HTTP/2 with prior knowledge; the response body and trailers are read.</summary>
    public static async Task<HttpResponseMessage> PostAsync(Uri peer, string? authorization, string to, W.PeerBatch batch, string path = ExchangePath)
    {
        var bytes = batch.ToByteArray();
        var framed = new byte[5 + bytes.Length];
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), bytes.Length);
        bytes.CopyTo(framed, 5);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(peer, path)) { Content = new ByteArrayContent(framed) };
        request.Content.Headers.ContentType = new("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.TryAddWithoutValidation(PeerHeaders.To, to);
        return await SendAsync(request, authorization, HttpVersion.Version20);
    }

    /// <summary>A plain GET over HTTP/2 (the peer port) or HTTP/1.1 (the client port).</summary>
    public static Task<HttpResponseMessage> GetAsync(Uri baseAddress, string path, string? authorization, Version version) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, path)), authorization, version);

    /// <summary>The gRPC status of a finished call: from the trailers, or the headers of a trailers-only answer; null for a plain HTTP answer.</summary>
    public static string? GrpcStatus(HttpResponseMessage response) =>
        response.TrailingHeaders.TryGetValues("grpc-status", out var trailing) ? trailing.Single()
        : response.Headers.TryGetValues("grpc-status", out var leading) ? leading.Single()
        : null;

    private static async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string? authorization, Version version)
    {
        request.Version = version;
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
