using System.Net;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Errors;

/// <summary>
/// The API server refused a request. <see cref="Exception.Message"/> is the server's own message
/// (from its Status body) so logs and callers see exactly what the server said.
/// </summary>
/// <remarks>
/// Callers match on the subclasses (<see cref="NotFoundException"/>, <see cref="ConflictException"/>,
/// ...) rather than on status codes. Codes without a subclass (429, 5xx, ...) arrive as this type.
/// </remarks>
public class KubeApiException : Exception
{
    public KubeApiException(HttpStatusCode statusCode, string message, Status? status = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Status = status;
    }

    /// <summary>The HTTP status code, or the code of the Status in a watch ERROR event.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The machine-readable reason (NotFound, AlreadyExists, Conflict, Expired, ...), if the server gave one.</summary>
    public string? Reason => Status?.Reason;

    /// <summary>The Status object the server returned, if the body was one.</summary>
    public Status? Status { get; }

    /// <summary>Seconds the server asked us to wait before retrying (429, some 5xx), if any.</summary>
    public int? RetryAfterSeconds => Status?.Details?.RetryAfterSeconds;
}

/// <summary>404: the object (or its namespace, or the resource) does not exist.</summary>
public sealed class NotFoundException(string message, Status? status = null)
    : KubeApiException(HttpStatusCode.NotFound, message, status);

/// <summary>
/// 409 other than AlreadyExists: usually an update whose resourceVersion is stale (optimistic
/// concurrency) or an apply that conflicts with another field manager. Re-read and retry.
/// </summary>
public sealed class ConflictException(string message, Status? status = null)
    : KubeApiException(HttpStatusCode.Conflict, message, status);

/// <summary>409 with reason AlreadyExists: a create for a name that is taken.</summary>
public sealed class AlreadyExistsException(string message, Status? status = null)
    : KubeApiException(HttpStatusCode.Conflict, message, status);

/// <summary>
/// 410 Gone / reason Expired: a watch or list from a resourceVersion (or continue token) that
/// etcd has compacted away. The only recovery is a fresh list.
/// </summary>
public sealed class GoneException(string message, Status? status = null)
    : KubeApiException(HttpStatusCode.Gone, message, status);

/// <summary>403: authenticated, but RBAC (or an admission plugin) does not allow the request.</summary>
public sealed class ForbiddenException(string message, Status? status = null)
    : KubeApiException(HttpStatusCode.Forbidden, message, status);

/// <summary>401: the credentials were missing, wrong or expired.</summary>
public sealed class UnauthorizedException(string message, Status? status = null)
    : KubeApiException(HttpStatusCode.Unauthorized, message, status);

/// <summary>422: validation failed; <see cref="Causes"/> names the offending fields.</summary>
public sealed class InvalidException(string message, Status? status = null)
    : KubeApiException(HttpStatusCode.UnprocessableEntity, message, status)
{
    /// <summary>The field-level causes the server reported (may be empty).</summary>
    public IReadOnlyList<StatusCause> Causes => Status?.Details?.Causes ?? [];
}
