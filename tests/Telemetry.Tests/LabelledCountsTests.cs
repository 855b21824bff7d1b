using Xunit;

namespace DataCluster.Telemetry.Tests;

public sealed class LabelledCountsTests
{
    [Fact]
    public void Counts_are_kept_per_label_combination_and_read_back()
    {
        var writes = new LabelledCounts("verb", "resource");
        writes.Inc("apply", "statefulsets");
        writes.Inc("apply", "statefulsets");
        writes.Inc("delete", "pods", 5);

        Assert.Equal(2, writes.Value("apply", "statefulsets"));
        Assert.Equal(5, writes.Value("delete", "pods"));
        Assert.Equal(0, writes.Value("apply", "pods"));
        Assert.Equal(2, writes.Measurements().Count());
    }

    [Fact]
    public void The_number_of_label_values_must_match_the_labels()
    {
        var byResult = new LabelledCounts("result");
        var byTwo = new LabelledCounts("verb", "resource");

        Assert.Throws<ArgumentException>(() => byResult.Inc("success", "extra"));
        Assert.Throws<ArgumentException>(() => byTwo.Inc("apply"));
        Assert.Throws<ArgumentOutOfRangeException>(() => byResult.Inc("success", "", -1));
    }
}
