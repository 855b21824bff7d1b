namespace DataCluster.Operator.Crd;

/// <summary>placeholder</summary>
public static class CrdCommand
{
    public const string Name = "generate-crd";

    public static int Run(string[] args, TextWriter output, TextWriter error) => 0;
}
