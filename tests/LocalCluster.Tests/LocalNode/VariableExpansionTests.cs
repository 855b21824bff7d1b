using DataCluster.LocalCluster.LocalNode;
using Xunit;

namespace DataCluster.LocalCluster.Tests.LocalNode;

public sealed class VariableExpansionTests
{
    private static string? Lookup(string name) => name switch
    {
        "POD_IP" => "127.0.0.10",
        "PORT" => "8080",
        _ => null,
    };

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("http://$(POD_IP):$(PORT)/x", "http://127.0.0.10:8080/x")]
    [InlineData("$(UNKNOWN) stays", "$(UNKNOWN) stays")]
    [InlineData("$$(POD_IP) is escaped", "$(POD_IP) is escaped")]
    [InlineData("cost: $$5", "cost: $5")]
    [InlineData("a lone $ and $x", "a lone $ and $x")]
    [InlineData("unclosed $(POD_IP", "unclosed $(POD_IP")]
    [InlineData("trailing $", "trailing $")]
    public void References_to_defined_variables_are_replaced_as_Kubernetes_does(string input, string expected) =>
        Assert.Equal(expected, VariableExpansion.Expand(input, Lookup));
}
