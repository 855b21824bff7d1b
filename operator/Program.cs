using DataCluster.Operator.Crd;

namespace DataCluster.Operator;

/// <summary>Entry point. Today it only hosts the development commands; the operator host comes next.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is [CrdCommand.Name, ..])
        {
            return CrdCommand.Run(args[1..], Console.Out, Console.Error);
        }

        Console.Error.WriteLine($"usage: {nameof(DataCluster)}.Operator {CrdCommand.Name} [FILE]");
        return 2;
    }
}
