using System.Net;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Tests.Support;

namespace DataCluster.Kube.Tests.Client;

public sealed class ListAllTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Page(string rv, string? next, params string[] names)
    {
        var items = string.Join(",", names.Select(n => "{\"metadata\":{\"name\":\"" + n + "\",\"namespace\":\"ns\"}}"));
        var continuation = next is null ? "" : ",\"continue\":\"" + next + "\"";
        return "{\"kind\":\"ConfigMapList\",\"metadata\":{\"resourceVersion\":\"" + rv + "\"" + continuation + "},\"items\":[" + items + "]}";
    }

    [Fact]
    public async Task Pages_are_followed_with_their_continue_tokens()
    {
        var handler = new StubHandler((request, _) => StubHandler.Json(HttpStatusCode.OK, request.RequestUri!.Query.Contains("continue=t1", StringComparison.Ordinal)
            ? Page("10", null, "c")
            : Page("10", "t1", "a", "b")));
        using var client = new KubeClient(new KubeConfig { Server = new Uri("https://k") }, handler);

        var all = await client.ListAllAsync(KubeResources.ConfigMaps, "ns", new ListOptions { Limit = 2, LabelSelector = "x", ResourceVersion = "0" }, Ct);

        Assert.Equal(["a", "b", "c"], all.Items.Select(c => c.Metadata.Name));
        Assert.Equal("10", all.Metadata.ResourceVersion);
        var queries = handler.Requests.Select(r => r.Request.RequestUri!.Query).ToList();
        Assert.Equal("?labelSelector=x&limit=2&resourceVersion=0", queries[0]);
        Assert.Equal("?labelSelector=x&limit=2&continue=t1", queries[1]); // the server refuses resourceVersion with continue
    }

    [Fact]
    public async Task An_expired_continue_token_falls_back_to_one_full_list()
    {
        var handler = new StubHandler((request, _) =>
        {
            var query = request.RequestUri!.Query;
            if (query.Contains("continue=", StringComparison.Ordinal))
            {
                return StubHandler.Json(HttpStatusCode.Gone, """{"kind":"Status","reason":"Expired","code":410,"message":"The provided continue parameter is too old"}""");
            }

            return StubHandler.Json(HttpStatusCode.OK, query.Contains("limit=", StringComparison.Ordinal) ? Page("10", "t1", "a") : Page("20", null, "a", "b", "c"));
        });
        using var client = new KubeClient(new KubeConfig { Server = new Uri("https://k") }, handler);

        var all = await client.ListAllAsync(KubeResources.ConfigMaps, "ns", new ListOptions { Limit = 1 }, Ct);

        Assert.Equal(["a", "b", "c"], all.Items.Select(c => c.Metadata.Name));
        Assert.Equal("20", all.Metadata.ResourceVersion);
        Assert.Equal(3, handler.Requests.Count);
    }
}
