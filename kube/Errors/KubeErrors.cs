using System.Net;
using System.Text;
using System.Text.Json;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Errors;

/// <summary>Maps API-server error responses (HTTP status plus an optional Status body) to typed exceptions.</summary>
public static class KubeErrors
{
    // Enough of a non-Status body (an HTML error page from a proxy, say) to recognise it in a
    // log line without flooding the log.
    private const int MaxRawBodyInMessage = 512;

    /// <summary>Builds the exception for an error response from its status code and raw body.</summary>
    public static KubeApiException FromResponse(HttpStatusCode statusCode, ReadOnlySpan<byte> body, string? requestDescription = null)
    {
        var status = TryParseStatus(body);
        var message = status?.Message;
        if (string.IsNullOrEmpty(message))
        {
            var text = body.Length == 0 ? "" : Encoding.UTF8.GetString(body.Length > MaxRawBodyInMessage ? body[..MaxRawBodyInMessage] : body).Trim();
            message = text.Length == 0
                ? $"the server answered {(int)statusCode} {statusCode}"
                : $"the server answered {(int)statusCode} {statusCode}: {text}";
            if (requestDescription is not null)
            {
                message = $"{requestDescription}: {message}";
            }
        }

        return FromStatus(statusCode, status, message);
    }

    /// <summary>Builds the exception for a Status, e.g. the object of a watch ERROR event.</summary>
    public static KubeApiException FromStatus(Status status)
    {
        var code = status.Code is int c and > 0 ? (HttpStatusCode)c : HttpStatusCode.InternalServerError;
        return FromStatus(code, status, status.Message ?? $"the server reported {status.Reason ?? "an error"} ({(int)code})");
    }

    private static KubeApiException FromStatus(HttpStatusCode statusCode, Status? status, string message)
    {
        var reason = status?.Reason;

        // The reason wins over the code where they can disagree: a list with an expired
        // continue token is 410 with reason Expired, a watch ERROR may carry only the reason.
        if (reason is "Expired" or "Gone" || statusCode == HttpStatusCode.Gone)
        {
            return new GoneException(message, status);
        }

        if (reason == "AlreadyExists")
        {
            return new AlreadyExistsException(message, status);
        }

        return statusCode switch
        {
            HttpStatusCode.NotFound => new NotFoundException(message, status),
            HttpStatusCode.Conflict => new ConflictException(message, status),
            HttpStatusCode.Forbidden => new ForbiddenException(message, status),
            HttpStatusCode.Unauthorized => new UnauthorizedException(message, status),
            HttpStatusCode.UnprocessableEntity => new InvalidException(message, status),
            _ => new KubeApiException(statusCode, message, status),
        };
    }

    private static Status? TryParseStatus(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty || body[0] != (byte)'{')
        {
            return null;
        }

        try
        {
            var status = JsonSerializer.Deserialize(body, KubeJsonContext.Default.Status);
            return status?.Kind == "Status" || status?.Message is not null ? status : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
