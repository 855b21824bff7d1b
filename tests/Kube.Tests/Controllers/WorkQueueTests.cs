using DataCluster.Kube.Controllers;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace DataCluster.Kube.Tests.Controllers;

public sealed class WorkQueueTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_item_added_many_times_before_it_is_taken_is_handed_out_once()
    {
        using var queue = new WorkQueue<string>();
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");
        queue.Add("a");

        var first = await queue.TakeAsync(Ct);
        var second = await queue.TakeAsync(Ct);

        Assert.Equal(("a", "b"), (first.Item, second.Item));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task An_item_added_while_being_processed_is_queued_again_only_after_Done()
    {
        using var queue = new WorkQueue<string>();
        queue.Add("a");
        var taken = await queue.TakeAsync(Ct);

        queue.Add("a");
        Assert.Equal(0, queue.Count); // not handed to a second worker meanwhile

        queue.Done(taken.Item);
        Assert.Equal(1, queue.Count);
        var again = await queue.TakeAsync(Ct);
        Assert.Equal("a", again.Item);
    }

    [Fact]
    public void Delayed_add_waits_for_its_time_and_the_earlier_due_time_wins()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue<string>(time);

        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        queue.AddAfter("a", TimeSpan.FromSeconds(3));
        queue.AddAfter("a", TimeSpan.FromSeconds(20));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, queue.Count);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Count);

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, queue.Count); // the superseded timers do not add it again
    }

    [Fact]
    public void Rate_limited_adds_back_off_exponentially_up_to_the_cap_and_Forget_resets()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue<string>(time, new ItemBackoff<string>(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)));

        var delays = Enumerable.Range(0, 5).Select(_ => queue.AddRateLimited("a").TotalMilliseconds).ToArray();
        queue.Forget("a");
        var afterForget = queue.AddRateLimited("a");

        Assert.Equal(new[] { 10d, 20d, 40d, 50d, 50d }, delays);
        Assert.Equal(TimeSpan.FromMilliseconds(10), afterForget);
    }

    [Fact]
    public async Task Shutdown_releases_waiting_takers()
    {
        using var queue = new WorkQueue<string>();
        var waiting = queue.TakeAsync(Ct).AsTask();

        queue.ShutDown();
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.False(result.Ok);
        queue.Add("ignored");
        Assert.Equal(0, queue.Count);
    }
}
