using System.Globalization;
using DataCluster.Agent.Assignments;
using DataCluster.Kube.Errors;

namespace DataCluster.Agent.Tests.Support;

/// <summary>The assignment ConfigMap in memory, with the API server's optimistic concurrency. Thread-safe.</summary>
internal sealed class InMemoryAssignmentStore : IAssignmentStore
{
    private readonly Lock _gate = new();
    private Dictionary<string, string>? _data;
    private long _version;

    public InMemoryAssignmentStore(bool exists = true)
    {
        if (exists)
        {
            _data = new Dictionary<string, string>(StringComparer.Ordinal);
            _version = 1;
        }
    }

    public string Description => "test/dc-assignment";

    /// <summary>Runs once, right before the next write is checked: a concurrent writer.</summary>
    public Action<InMemoryAssignmentStore>? BeforeNextWrite { get; set; }

    public int Writes { get; private set; }

    public int Reads { get; private set; }

    public IReadOnlyDictionary<string, string>? Data
    {
        get
        {
            lock (_gate)
            {
                return _data is null ? null : new Dictionary<string, string>(_data, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Writes as someone else would (a human, another leader), bumping the version.</summary>
    public void Set(IReadOnlyDictionary<string, string> values)
    {
        lock (_gate)
        {
            _data ??= new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in values)
            {
                _data[key] = value;
            }

            _version++;
        }
    }

    /// <summary>Removes the ConfigMap, as someone deleting it would.</summary>
    public void Delete()
    {
        lock (_gate)
        {
            _data = null;
        }
    }

    public Task<StoredAssignment?> ReadAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Reads++;
            return Task.FromResult(_data is null ? null : new StoredAssignment(Version(), new Dictionary<string, string>(_data, StringComparer.Ordinal)));
        }
    }

    public Task<StoredAssignment> WriteAsync(IReadOnlyDictionary<string, string> values, string resourceVersion, CancellationToken cancellationToken)
    {
        if (BeforeNextWrite is { } concurrent)
        {
            BeforeNextWrite = null;
            concurrent(this);
        }

        lock (_gate)
        {
            // A deleted ConfigMap fails the write's precondition, as on the API server.
            if (_data is null || resourceVersion != Version())
            {
                throw new ConflictException("Operation cannot be fulfilled on configmaps \"dc-assignment\": the object has been modified");
            }

            foreach (var (key, value) in values)
            {
                _data[key] = value;
            }

            _version++;
            Writes++;
            return Task.FromResult(new StoredAssignment(Version(), new Dictionary<string, string>(_data, StringComparer.Ordinal)));
        }
    }

    private string Version() => _version.ToString(CultureInfo.InvariantCulture);
}
