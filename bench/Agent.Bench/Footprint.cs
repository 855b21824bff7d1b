using System.Globalization;

namespace DataCluster.Agent.Bench;

/// <summary>Resident memory from /proc/PID/status, and sizes on disk.</summary>
internal static class Footprint
{
    /// <summary>VmRSS, RssAnon and RssFile of <paramref name="pid"/> in bytes; null once it has exited.</summary>
    public static (long Rss, long Anon, long File)? Rss(int pid)
    {
        try
        {
            long rss = 0, anon = 0, file = 0;
            foreach (var line in System.IO.File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line);
                }
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    anon = Kilobytes(line);
                }
                else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
                {
                    file = Kilobytes(line);
                }
            }

            return (rss, anon, file);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The median VmRSS (and the RssAnon and RssFile of the same samples' medians) of each process,
    /// sampled once a second for <paramref name="duration"/>.
    /// </summary>
    public static async Task<IReadOnlyList<(long Rss, long Anon, long File)>> MedianRssAsync(IReadOnlyList<int> pids, TimeSpan duration, CancellationToken cancellationToken)
    {
        var samples = pids.Select(_ => new List<(long Rss, long Anon, long File)>()).ToList();
        var end = DateTime.UtcNow + duration;
        while (DateTime.UtcNow < end)
        {
            for (var i = 0; i < pids.Count; i++)
            {
                if (Rss(pids[i]) is { } sample)
                {
                    samples[i].Add(sample);
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }

        return [.. samples.Select(s => (Median(s.Select(x => x.Rss)), Median(s.Select(x => x.Anon)), Median(s.Select(x => x.File))))];
    }

    /// <summary>The <paramref name="top"/> mappings of <paramref name="pid"/> holding the most resident memory, by file (or [heap], [anon]...), from /proc/PID/smaps.</summary>
    public static IReadOnlyList<(string Mapping, long Rss)> Mappings(int pid, int top)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        var current = "";
        foreach (var line in System.IO.File.ReadLines($"/proc/{pid}/smaps"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
            {
                current = fields.Length >= 6 ? Path.GetFileName(fields[5]) is { Length: > 0 } name ? name : fields[5] : "[anon]";
            }
            else if (fields is ["Rss:", var kilobytes, "kB"])
            {
                totals[current] = totals.GetValueOrDefault(current) + long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return [.. totals.OrderByDescending(t => t.Value).Take(top).Select(t => (t.Key, t.Value))];
    }

    /// <summary>Total bytes of the files under <paramref name="directory"/>.</summary>
    public static long DirectoryBytes(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    public static string Mib(long bytes) => (bytes / 1024.0 / 1024.0).ToString("F1", CultureInfo.InvariantCulture);

    public static long Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}
