using DataCluster.Kube.Election;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Tests.Election;

/// <summary>
/// What every <see cref="ILeaseStore"/> must do, as leader election and the member heartbeat
/// rely on it: a missing lease reads as null, create refuses a second lease, update is
/// optimistic (it succeeds only at the version read, and every write makes a new version), an
/// update of a lease deleted since it was read conflicts (its uid is a precondition) while one
/// with neither uid nor version is unconditional, and returned leases are copies. Run against
/// each implementation by a subclass.
/// </summary>
public abstract class LeaseStoreContract
{
    /// <summary>A MicroTime has microseconds; a value with more precision would not round-trip through the API server.</summary>
    private static readonly DateTimeOffset Acquired = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1_234_560);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A store whose lease does not exist yet, and nobody else's.</summary>
    protected abstract Task<ILeaseStore> CreateStoreAsync();

    /// <summary>Deletes the store's lease behind its back, as a user or a namespace deletion would.</summary>
    protected abstract Task DeleteLeaseAsync();

    private static Lease NewLease(string holder) => new()
    {
        Metadata = new ObjectMeta { Name = "contract" },
        Spec = new LeaseSpec { HolderIdentity = holder, LeaseDurationSeconds = 15, AcquireTime = Acquired, RenewTime = Acquired, LeaseTransitions = 0 },
    };

    [Fact]
    public async Task A_lease_that_was_never_created_reads_as_null()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.GetAsync(Ct));
    }

    [Fact]
    public async Task Create_stores_the_lease_as_given_with_a_resource_version()
    {
        var store = await CreateStoreAsync();

        var created = await store.CreateAsync(NewLease("a"), Ct);
        var read = await store.GetAsync(Ct);

        Assert.NotNull(read);
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
        Assert.Equal(("a", 15, Acquired, Acquired, 0), (read.Spec.HolderIdentity, read.Spec.LeaseDurationSeconds, read.Spec.AcquireTime, read.Spec.RenewTime, read.Spec.LeaseTransitions));
    }

    [Fact]
    public async Task A_second_create_fails_with_already_exists_and_leaves_the_first_lease()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(NewLease("a"), Ct);

        await Assert.ThrowsAsync<AlreadyExistsException>(() => store.CreateAsync(NewLease("b"), Ct));

        Assert.Equal("a", (await store.GetAsync(Ct))!.Spec.HolderIdentity);
    }

    [Fact]
    public async Task An_update_at_the_version_read_replaces_the_lease_and_makes_a_new_version()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewLease("a"), Ct);

        var lease = (await store.GetAsync(Ct))!;
        lease.Spec.HolderIdentity = "b";
        lease.Spec.LeaseTransitions = 1;
        var updated = await store.UpdateAsync(lease, Ct);

        var read = (await store.GetAsync(Ct))!;
        Assert.NotEqual(created.Metadata.ResourceVersion, updated.Metadata.ResourceVersion);
        Assert.Equal(updated.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
        Assert.Equal(("b", 1), (read.Spec.HolderIdentity, read.Spec.LeaseTransitions));
    }

    [Fact]
    public async Task Of_two_updates_from_the_same_read_only_the_first_lands_and_the_second_conflicts()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(NewLease("a"), Ct);
        var first = (await store.GetAsync(Ct))!;
        var second = (await store.GetAsync(Ct))!;

        first.Spec.HolderIdentity = "b";
        await store.UpdateAsync(first, Ct);
        second.Spec.HolderIdentity = "c";
        await Assert.ThrowsAsync<ConflictException>(() => store.UpdateAsync(second, Ct));

        Assert.Equal("b", (await store.GetAsync(Ct))!.Spec.HolderIdentity);
    }

    [Fact]
    public async Task An_update_of_a_lease_deleted_since_it_was_read_conflicts()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(NewLease("a"), Ct);
        var lease = (await store.GetAsync(Ct))!;

        await DeleteLeaseAsync();
        lease.Spec.HolderIdentity = "b";

        await Assert.ThrowsAsync<ConflictException>(() => store.UpdateAsync(lease, Ct));
        Assert.Null(await store.GetAsync(Ct));
    }

    [Fact]
    public async Task An_update_with_neither_uid_nor_version_is_unconditional_and_creates_a_missing_lease()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(NewLease("a"), Ct);
        var lease = (await store.GetAsync(Ct))!;
        await DeleteLeaseAsync();

        lease.Metadata.Uid = null;
        lease.Metadata.ResourceVersion = null;

        await store.UpdateAsync(lease, Ct);

        var read = await store.GetAsync(Ct);
        Assert.NotNull(read);
        Assert.Equal("a", read.Spec.HolderIdentity);
        Assert.False(string.IsNullOrEmpty(read.Metadata.Uid));
    }

    [Fact]
    public async Task Changing_a_returned_lease_changes_nothing_stored()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewLease("a"), Ct);
        var read = (await store.GetAsync(Ct))!;

        created.Spec.HolderIdentity = "changed";
        read.Spec.HolderIdentity = "changed";
        read.Metadata.ResourceVersion = "0";

        var again = (await store.GetAsync(Ct))!;
        Assert.Equal("a", again.Spec.HolderIdentity);
        Assert.NotEqual("0", again.Metadata.ResourceVersion);
    }
}
