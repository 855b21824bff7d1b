using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace DataCluster.Agent.Http;

/// <summary>
/// A small JSON answer sent with its Content-Length: serialized first, then written in one
/// piece. <c>TypedResults.Json</c> streams into the body with chunked transfer-encoding instead,
/// which costs the server a second send for the closing chunk and keeps the client waiting for
/// it, on every write's answer. Answers that can be large (a read's events) keep streaming.
/// </summary>
internal sealed class JsonBody<T>(T value, JsonTypeInfo<T> type, int statusCode) : IResult
{
    private const string Json = "application/json; charset=utf-8";

    /// <inheritdoc/>
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, type);
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = Json;
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes, 0, bytes.Length, httpContext.RequestAborted);
    }
}

/// <summary>Creates <see cref="JsonBody{T}"/> answers.</summary>
internal static class JsonBody
{
    /// <summary>An answer of <paramref name="statusCode"/> whose body is <paramref name="value"/> as JSON.</summary>
    public static IResult Of<T>(T value, JsonTypeInfo<T> type, int statusCode = StatusCodes.Status200OK) => new JsonBody<T>(value, type, statusCode);
}
