using System.Text;

namespace DataCluster.Operator.Crd;

/// <summary>
/// <c>generate-crd [FILE]</c>: writes the CRD manifest to FILE, or to standard output when no
/// file is given. Run by <c>make crds</c>.
/// </summary>
public static class CrdCommand
{
    public const string Name = "generate-crd";

    /// <returns>The process exit code: 0 on success, 2 for bad arguments.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length > 1)
        {
            error.WriteLine($"usage: {Name} [FILE]   (writes the DataCluster CRD to FILE, or to standard output)");
            return 2;
        }

        var yaml = CrdGenerator.GenerateYaml();
        if (args.Length == 0)
        {
            output.Write(yaml);
            return 0;
        }

        File.WriteAllText(args[0], yaml, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return 0;
    }
}
