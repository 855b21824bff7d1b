using DataCluster.Client.Http;
using DataCluster.Client.Wire;
using DataCluster.Ring;
using Microsoft.Extensions.Logging;

namespace DataCluster.Client.Routing;

/// <summary>
/// What the client knows of the cluster: the ring (partition count, members and their client
/// addresses) read from <c>GET /v1/ring</c>, and which member leads each partition, from every
/// member's assignment stream (<see cref="AssignmentFeed"/>). Members report what they lead;
/// when two claim a partition (one of them has not loaded the newest assignment yet), the higher
/// epoch wins. A member whose stream is down claims nothing until it is back.
/// </summary>
/// <remarks>
/// Started by the first request and stopped by <see cref="DisposeAsync"/>. Lookups are lock-free
/// reads of an immutable snapshot; changes are serialized by a lock. Thread-safe.
/// </remarks>
internal sealed class ClusterView(AgentHttp http, DataClusterClientOptions options, ILogger logger) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstRing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _refresh = new(0, 1);
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    private volatile Routes _routes = Routes.Empty;
    private Task? _loop;
    private long _ringEpoch;
    private int _stopped;
    private int _disposed;

    /// <summary>The current routes: partition count and each partition's leader, when known.</summary>
    public Routes Current => _routes;

    /// <summary>The partition of <paramref name="key"/>, waiting (within the caller's limits) for the first ring.</summary>
    public async Task<int> PartitionOfAsync(string key, CancellationToken cancellationToken)
    {
        var routes = await RingAsync(cancellationToken).ConfigureAwait(false);
        return KeyHash.PartitionOf(key, routes.Partitions);
    }

    /// <summary>The routes once a ring was read; starts the view on first use.</summary>
    public async Task<Routes> RingAsync(CancellationToken cancellationToken)
    {
        Start();
        if (_routes.Partitions == 0)
        {
            await _firstRing.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return _routes;
    }

    /// <summary>Asks for the ring to be read again soon (a member was unreachable, or an agent named a leader the view did not know).</summary>
    public void RefreshSoon()
    {
        try
        {
            _refresh.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already asked.
        }
        catch (ObjectDisposedException)
        {
            // The client was disposed while a request was in flight.
        }
    }

    /// <summary>Stops the ring loop and the streams without waiting for them (for a synchronous dispose).</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            _stop.Cancel();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Stop();
        Task[] tasks;
        lock (_gate)
        {
            tasks = [.. _members.Values.Select(m => m.Task), _loop ?? Task.CompletedTask];
        }

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _refresh.Dispose();
    }

    private void Start()
    {
        if (_loop is not null)
        {
            return;
        }

        lock (_gate)
        {
            _loop ??= Task.Run(() => RingLoopAsync(_stop.Token));
        }
    }

    private async Task RingLoopAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            var (ring, source, problem) = await ReadRingAsync(cancellationToken).ConfigureAwait(false);
            if (ring is not null)
            {
                failures = 0;
                Apply(ring, source);
                wait = options.RingRefreshInterval;
            }
            else
            {
                failures++;
                wait = Backoff.Delay(failures, options.MinRetryDelay, options.MaxRetryDelay);
                ClientLog.RingFailed(logger, options.BaseAddress, problem, (long)wait.TotalMilliseconds);
            }

            try
            {
                await _refresh.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The ring from the base address, else from any member the view knows.</summary>
    private async Task<(RingBody? Ring, Uri Source, string Problem)> ReadRingAsync(CancellationToken cancellationToken)
    {
        List<Uri> sources = [options.BaseAddress];
        lock (_gate)
        {
            sources.AddRange(_members.Values.Select(m => m.Address).Where(a => a != options.BaseAddress));
        }

        var problem = "no agent to ask";
        foreach (var source in sources)
        {
            var answer = await http.SendAsync(
                () => new HttpRequestMessage(HttpMethod.Get, new Uri(source, "/v1/ring")),
                WireJsonContext.Default.RingBody,
                options.AttemptTimeout,
                cancellationToken).ConfigureAwait(false);
            if (answer is { Ok: true, Value: { Partitions: > 0 } ring })
            {
                return (ring, source, "");
            }

            problem = answer.Describe();
        }

        return (null, options.BaseAddress, problem);
    }

    private void Apply(RingBody ring, Uri source)
    {
        var changed = false;
        lock (_gate)
        {
            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in ring.Members)
            {
                if (member.Address is null || member.State == "absent")
                {
                    continue;
                }

                present.Add(member.Id);
                var address = AgentHttp.MemberUri(options.BaseAddress, member.Address);
                if (_members.TryGetValue(member.Id, out var known) && known.Address == address)
                {
                    continue;
                }

                known?.Stop();
                _members[member.Id] = StartMember(member.Id, address);
                changed = true;
            }

            foreach (var gone in _members.Keys.Where(id => !present.Contains(id)).ToList())
            {
                _members[gone].Stop();
                _members.Remove(gone);
                changed = true;
            }

            changed |= _routes.Partitions != ring.Partitions || ring.Epoch != _ringEpoch;
            _ringEpoch = Math.Max(_ringEpoch, ring.Epoch);
            Recompute(ring.Partitions);
        }

        _firstRing.TrySetResult();
        if (changed)
        {
            ClientLog.RingChanged(logger, ring.Partitions, ring.Epoch, source, string.Join(", ", ring.Members.Select(m => $"{m.Id}={m.Address ?? "?"}")));
        }
    }

    private Member StartMember(string id, Uri address)
    {
        var member = new Member(id, address, CancellationTokenSource.CreateLinkedTokenSource(_stop.Token));
        member.Task = Task.Run(() => FollowAsync(member));
        return member;
    }

    private async Task FollowAsync(Member member)
    {
        var feed = new AssignmentFeed(http, member.Address, options, logger);
        try
        {
            await foreach (var change in feed.RunAsync(member.Cancellation.Token).ConfigureAwait(false))
            {
                var newer = false;
                lock (_gate)
                {
                    if (!ReferenceEquals(_members.GetValueOrDefault(member.Id), member))
                    {
                        return;
                    }

                    member.Apply(change);
                    newer = change.Epoch > _ringEpoch;
                    Recompute(_routes.Partitions);
                }

                if (newer)
                {
                    // A newer assignment may name members (and addresses) the view has not seen.
                    RefreshSoon();
                }
            }
        }
        catch (OperationCanceledException) when (member.Cancellation.IsCancellationRequested)
        {
        }
    }

    /// <summary>Rebuilds the leader table from every member's claims; the caller holds the lock.</summary>
    private void Recompute(int partitions)
    {
        var leaders = new Uri?[partitions];
        var ids = new string?[partitions];
        var epochs = new long[partitions];
        foreach (var member in _members.Values)
        {
            foreach (var partition in member.Leads)
            {
                if (partition < partitions && (ids[partition] is null || member.Epoch > epochs[partition]))
                {
                    leaders[partition] = member.Address;
                    ids[partition] = member.Id;
                    epochs[partition] = member.Epoch;
                }
            }
        }

        _routes = new Routes(partitions, leaders, ids);
    }

    /// <summary>One member and what its stream says it leads.</summary>
    private sealed class Member(string id, Uri address, CancellationTokenSource stop)
    {
        public string Id => id;

        public Uri Address => address;

        public CancellationTokenSource Cancellation => stop;

        public Task Task { get; set; } = Task.CompletedTask;

        public HashSet<int> Leads { get; } = [];

        public long Epoch { get; private set; }

        public void Apply(AssignmentChange change)
        {
            switch (change.Kind)
            {
                case AssignmentChangeKind.Reset or AssignmentChangeKind.ConnectionLost:
                    Leads.Clear();
                    Epoch = 0;
                    break;
                case AssignmentChangeKind.LeaderGained:
                    Leads.UnionWith(change.Partitions);
                    break;
                case AssignmentChangeKind.LeaderLost:
                    Leads.ExceptWith(change.Partitions);
                    break;
            }

            Epoch = Math.Max(Epoch, change.Epoch);
        }

        public void Stop()
        {
            stop.Cancel();
            _ = Task.ContinueWith(_ => stop.Dispose(), TaskScheduler.Default);
        }
    }
}

/// <summary>An immutable picture of the routes: the partition count (0 before the first ring) and each partition's leader.</summary>
internal sealed class Routes(int partitions, Uri?[] leaders, string?[] leaderIds)
{
    public static readonly Routes Empty = new(0, [], []);

    public int Partitions => partitions;

    /// <summary>The client address of <paramref name="partition"/>'s leader, or null when no member claims it.</summary>
    public Uri? LeaderOf(int partition) => (uint)partition < (uint)leaders.Length ? leaders[partition] : null;

    /// <summary>The member id of <paramref name="partition"/>'s leader, or null.</summary>
    public string? LeaderIdOf(int partition) => (uint)partition < (uint)leaderIds.Length ? leaderIds[partition] : null;
}
