using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>
/// The integration tests share one API server, controller manager and in-process operator, and
/// run one after another: several count the operator's writes or restart it, which parallel
/// tests would disturb, and two cores are busy enough with one cluster's worth of controllers.
/// </summary>
[CollectionDefinition(Name)]
public sealed class OperatorCollection : ICollectionFixture<OperatorFixture>
{
    public const string Name = "Operator against a real API server";
}
