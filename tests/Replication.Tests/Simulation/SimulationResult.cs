using System.Text;

namespace DataCluster.Replication.Tests.Simulation;

/// <summary>What a simulated run did, and the first invariant it broke (null when none).</summary>
internal sealed record SimulationResult(
    SimulationSettings Settings,
    string? Violation,
    IReadOnlyList<string> Schedule,
    int Steps,
    long VirtualMs,
    int Messages,
    int MessagesLost,
    int Writes,
    int Acknowledged,
    int Committed,
    int Leaderships,
    int Crashes,
    int Reassignments,
    long Substitutions = 0,
    long Releases = 0)
{
    /// <summary>The seed, the settings, the violation and the end of the schedule, to replay and read a failure.</summary>
    public string Report(int lastEvents = 150)
    {
        var text = new StringBuilder();
        text.AppendLine($"simulation {Settings}");
        text.AppendLine($"replay: new Simulator({Settings with { }}).Run()");
        text.AppendLine(Violation is null ? "no violation" : $"VIOLATION: {Violation}");
        text.AppendLine($"{Steps} steps, {VirtualMs} ms, {Messages} messages ({MessagesLost} lost), {Writes} writes, {Acknowledged} acknowledged at QUORUM/ALL, {Committed} committed records, {Leaderships} leaderships, {Crashes} crashes, {Reassignments} reassignments, {Substitutions} substitutions, {Releases} copies released");
        text.AppendLine($"schedule (last {Math.Min(lastEvents, Schedule.Count)} of {Schedule.Count} events):");
        foreach (var line in Schedule.Skip(Math.Max(0, Schedule.Count - lastEvents)))
        {
            text.AppendLine("  " + line);
        }

        return text.ToString();
    }
}
