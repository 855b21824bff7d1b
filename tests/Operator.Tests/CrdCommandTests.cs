using DataCluster.Operator.Crd;
using Xunit;

namespace DataCluster.Operator.Tests;

public class CrdCommandTests
{
    [Fact]
    public void Generate_crd_writes_the_manifest_to_standard_output_without_a_file()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = CrdCommand.Run([], output, error);

        Assert.Equal(0, exit);
        Assert.Equal(CrdGenerator.GenerateYaml(), output.ToString());
        Assert.Empty(error.ToString());
    }

    [Fact]
    public void Generate_crd_writes_the_manifest_to_the_given_file_as_UTF8_without_BOM()
    {
        var file = Path.Combine(Path.GetTempPath(), $"crd-{Guid.NewGuid():N}.yaml");
        try
        {
            var exit = CrdCommand.Run([file], TextWriter.Null, TextWriter.Null);

            Assert.Equal(0, exit);
            var bytes = File.ReadAllBytes(file);
            Assert.NotEqual(0xEF, bytes[0]);
            Assert.Equal(CrdGenerator.GenerateYaml(), System.Text.Encoding.UTF8.GetString(bytes));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Generate_crd_rejects_extra_arguments_with_usage_and_exit_code_2()
    {
        using var error = new StringWriter();

        Assert.Equal(2, CrdCommand.Run(["a", "b"], TextWriter.Null, error));
        Assert.Contains("usage: generate-crd [FILE]", error.ToString(), StringComparison.Ordinal);
    }
}
