using System.Text.Json.Nodes;
using DataCluster.Operator.Controllers;
using Xunit;

namespace DataCluster.Operator.Tests;

public class SemanticEqualityTests
{
    public static TheoryData<string, string, string, bool> Cases() => new()
    {
        { "server defaults in live are ignored", """{"a":1}""", """{"a":1,"b":2,"c":{"d":3}}""", true },
        { "a different value is a difference", """{"a":1}""", """{"a":2}""", false },
        { "a missing field is a difference", """{"a":1,"b":"x"}""", """{"a":1}""", false },
        { "an empty list matches a missing one", """{"a":[],"b":{}}""", """{"c":1}""", true },
        { "false, zero and empty string match a dropped field", """{"a":false,"b":0,"c":""}""", """{}""", true },
        { "true does not match a dropped field", """{"a":true}""", """{}""", false },
        { "a list item with extra live fields matches", """{"l":[{"name":"x"}]}""", """{"l":[{"name":"x","protocol":"TCP"}]}""", true },
        { "an extra live list item is a difference", """{"l":[{"name":"x"}]}""", """{"l":[{"name":"x"},{"name":"y"}]}""", false },
        { "list order matters", """{"l":["a","b"]}""", """{"l":["b","a"]}""", false },
        { "quantities compare by value", """{"resources":{"requests":{"cpu":"0.5","memory":"1024Mi"}}}""", """{"resources":{"requests":{"cpu":"500m","memory":"1Gi"}}}""", true },
        { "different quantities differ", """{"resources":{"limits":{"memory":"1Gi"}}}""", """{"resources":{"limits":{"memory":"2Gi"}}}""", false },
        { "strings outside resource lists are not quantities", """{"env":[{"value":"0.5"}]}""", """{"env":[{"value":"500m"}]}""", false },
        { "numbers compare by value", """{"a":1.0}""", """{"a":1}""", true },
        { "a string is not a number", """{"port":"8080"}""", """{"port":8080}""", false },
        { "an object is not a value", """{"a":{"b":1}}""", """{"a":1}""", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Desired_must_be_a_subset_of_live(string name, string desired, string live, bool subset)
    {
        Assert.True(SemanticEquality.IsSubset(JsonNode.Parse(desired), JsonNode.Parse(live)) == subset, name);
    }

    [Fact]
    public void Paths_a_server_may_drop_are_accepted_when_absent_but_still_compared_when_present()
    {
        var ignore = new HashSet<string> { "endpoints[].conditions.serving" };
        var desired = JsonNode.Parse("""{"endpoints":[{"conditions":{"ready":true,"serving":true}}]}""");

        Assert.True(SemanticEquality.IsSubset(desired, JsonNode.Parse("""{"endpoints":[{"conditions":{"ready":true}}]}"""), ignore));
        Assert.False(SemanticEquality.IsSubset(desired, JsonNode.Parse("""{"endpoints":[{"conditions":{"ready":true,"serving":false}}]}"""), ignore));
        Assert.False(SemanticEquality.IsSubset(desired, JsonNode.Parse("""{"endpoints":[{"conditions":{"ready":true}}]}""")));
    }

    [Theory]
    [InlineData("1Gi", 1073741824)]
    [InlineData("500m", 0.5)]
    [InlineData("2", 2)]
    [InlineData("1e3", 1000)]
    [InlineData("1.5k", 1500)]
    [InlineData("100M", 100000000)]
    [InlineData("-1", -1)]
    public void Quantities_parse_to_exact_values(string text, double expected)
    {
        Assert.True(Quantities.TryParse(text, out var value));
        Assert.Equal((decimal)expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("1 Gi")]
    [InlineData("Gi")]
    public void Non_quantities_do_not_parse(string text)
    {
        Assert.False(Quantities.TryParse(text, out _));
    }
}
