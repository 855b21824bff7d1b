using DataCluster.E2E.Tests.Support;
using Xunit;

// One local cluster for all tests; they run one at a time, because each runs several agent
// processes and some measure timings that a parallel test would distort.
[assembly: AssemblyFixture(typeof(E2EFixture))]
[assembly: CollectionBehavior(DisableTestParallelization = true)]
