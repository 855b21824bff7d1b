using System.Net;
using System.Text;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Tests.Client;

public sealed class KubeErrorsTests
{
    private static KubeApiException Map(HttpStatusCode code, string reason, string message = "the server's words") =>
        KubeErrors.FromResponse(code, Encoding.UTF8.GetBytes(
            $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"{{message}}","reason":"{{reason}}","code":{{(int)code}}}"""));

    [Theory]
    [InlineData(HttpStatusCode.NotFound, "NotFound", typeof(NotFoundException))]
    [InlineData(HttpStatusCode.Conflict, "Conflict", typeof(ConflictException))]
    [InlineData(HttpStatusCode.Conflict, "AlreadyExists", typeof(AlreadyExistsException))]
    [InlineData(HttpStatusCode.Gone, "Gone", typeof(GoneException))]
    [InlineData(HttpStatusCode.Gone, "Expired", typeof(GoneException))]
    [InlineData(HttpStatusCode.Forbidden, "Forbidden", typeof(ForbiddenException))]
    [InlineData(HttpStatusCode.Unauthorized, "Unauthorized", typeof(UnauthorizedException))]
    [InlineData(HttpStatusCode.UnprocessableEntity, "Invalid", typeof(InvalidException))]
    [InlineData(HttpStatusCode.TooManyRequests, "TooManyRequests", typeof(KubeApiException))]
    [InlineData(HttpStatusCode.InternalServerError, "InternalError", typeof(KubeApiException))]
    public void Status_bodies_map_to_typed_exceptions_carrying_the_servers_message(HttpStatusCode code, string reason, Type expected)
    {
        var error = Map(code, reason);

        Assert.IsType(expected, error);
        Assert.Equal("the server's words", error.Message);
        Assert.Equal(reason, error.Reason);
        Assert.Equal(code, error.StatusCode);
    }

    [Fact]
    public void Invalid_carries_the_field_causes()
    {
        var body = """{"kind":"Status","message":"ConfigMap \"X\" is invalid","reason":"Invalid","code":422,"details":{"name":"X","kind":"ConfigMap","causes":[{"reason":"FieldValueInvalid","message":"bad name","field":"metadata.name"}]}}""";
        var error = Assert.IsType<InvalidException>(KubeErrors.FromResponse(HttpStatusCode.UnprocessableEntity, Encoding.UTF8.GetBytes(body)));

        var cause = Assert.Single(error.Causes);
        Assert.Equal("metadata.name", cause.Field);
        Assert.Equal("bad name", cause.Message);
    }

    [Fact]
    public void A_body_that_is_not_a_Status_is_quoted_in_the_message()
    {
        var error = KubeErrors.FromResponse(HttpStatusCode.BadGateway, "<html>proxy error</html>"u8, "GET /api/v1/pods");

        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Contains("GET /api/v1/pods", error.Message, StringComparison.Ordinal);
        Assert.Contains("<html>proxy error</html>", error.Message, StringComparison.Ordinal);
        Assert.Null(error.Status);
    }

    [Fact]
    public void A_watch_ERROR_status_maps_by_its_code_and_reason()
    {
        var gone = KubeErrors.FromStatus(new Status { Code = 410, Reason = "Expired", Message = "too old resource version: 1 (5)" });
        Assert.IsType<GoneException>(gone);
        Assert.Equal("too old resource version: 1 (5)", gone.Message);

        var withoutCode = KubeErrors.FromStatus(new Status { Reason = "Expired" });
        Assert.IsType<GoneException>(withoutCode);
    }

    [Fact]
    public void Retry_after_comes_from_the_details()
    {
        var body = """{"kind":"Status","message":"slow down","reason":"TooManyRequests","code":429,"details":{"retryAfterSeconds":3}}""";
        Assert.Equal(3, KubeErrors.FromResponse(HttpStatusCode.TooManyRequests, Encoding.UTF8.GetBytes(body)).RetryAfterSeconds);
    }
}
