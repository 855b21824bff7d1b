using System.Text;
using DataCluster.ChartReadme;

// chart-readme CHART_DIR: rewrites the values table of CHART_DIR/README.md.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: chart-readme CHART_DIR   (rewrites the values table in CHART_DIR/README.md from values.yaml and values.schema.json)");
    return 2;
}

var chart = args[0];
var values = File.ReadAllText(Path.Combine(chart, "values.yaml"));
if (ValuesTable.Undocumented(values) is { Count: > 0 } undocumented)
{
    Console.Error.WriteLine($"chart-readme: values.yaml has no comment above {string.Join(", ", undocumented)}: document each value in the line(s) directly above it.");
    return 1;
}

var readmePath = Path.Combine(chart, "README.md");
try
{
    var table = ValuesTable.Markdown(ValuesTable.Rows(values, File.ReadAllText(Path.Combine(chart, "values.schema.json"))));
    File.WriteAllText(readmePath, ValuesTable.Update(File.ReadAllText(readmePath), table), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"chart-readme: {e.Message}");
    return 1;
}

return 0;
