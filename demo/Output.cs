using System.Globalization;

namespace DataCluster.Demo;

/// <summary>The demo's console output: numbered step headings, indented details and tables.</summary>
internal sealed class Output(TextWriter writer, int steps)
{
    private const string Indent = "    ";
    private int _step;

    public void Title(string text) => writer.WriteLine($"{text}\n{new string('=', text.Length)}");

    public void Step(string heading)
    {
        _step++;
        writer.WriteLine();
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_step}/{steps}] {heading}"));
    }

    public void Line(string text = "")
    {
        foreach (var line in text.Split('\n'))
        {
            writer.WriteLine(line.Length == 0 ? "" : Indent + line);
        }
    }

    public void Command(string commandLine, string output)
    {
        Line("$ " + commandLine);
        Line(output);
    }

    /// <summary>A left-aligned table with a header row; columns as wide as their widest cell.</summary>
    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { header };
        all.AddRange(rows);
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            Line(string.Join("  ", row.Select((cell, i) => i == row.Count - 1 ? cell : cell.PadRight(widths[i]))));
        }
    }

    public void Flush() => writer.Flush();
}
