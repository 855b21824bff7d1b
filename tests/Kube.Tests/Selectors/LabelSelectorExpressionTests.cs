using DataCluster.Kube.Selectors;

namespace DataCluster.Kube.Tests.Selectors;

public sealed class LabelSelectorExpressionTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web", ["tier"] = "front" };

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app=db", false)]
    [InlineData("app!=db", true)]
    [InlineData("app!=web", false)]
    [InlineData("missing!=x", true)]
    [InlineData("app in (db, web)", true)]
    [InlineData("app in (db)", false)]
    [InlineData("app notin (db,cache)", true)]
    [InlineData("missing notin (x)", true)]
    [InlineData("missing in (x)", false)]
    [InlineData("tier", true)]
    [InlineData("missing", false)]
    [InlineData("!missing", true)]
    [InlineData("!tier", false)]
    [InlineData("app=web,tier in (front,back),!legacy", true)]
    [InlineData("app=web, tier=back", false)]
    public void Requirements_match_like_the_API_servers(string? selector, bool matches)
    {
        Assert.Equal(matches, LabelSelectorExpression.Parse(selector).Matches(Web));
    }

    [Fact]
    public void Objects_without_labels_match_only_negative_requirements()
    {
        Assert.True(LabelSelectorExpression.Parse("!a,b!=c,d notin (e)").Matches(null));
        Assert.False(LabelSelectorExpression.Parse("a").Matches(null));
    }

    [Theory]
    [InlineData("app=web,,tier")]
    [InlineData("app in (a,b")]
    [InlineData("app within (a)")]
    [InlineData("bad key=x")]
    public void Malformed_selectors_are_reported(string selector)
    {
        var error = Assert.Throws<FormatException>(() => LabelSelectorExpression.Parse(selector));
        Assert.Contains(selector, error.Message, StringComparison.Ordinal);
    }
}
