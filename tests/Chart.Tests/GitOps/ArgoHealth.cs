using System.Text.Json.Nodes;
using DataCluster.Chart.Tests.Support;

namespace DataCluster.Chart.Tests.GitOps;

/// <summary>What the Argo CD health check returned.</summary>
internal sealed record Health(string Status, string Message);

/// <summary>Runs docs/gitops/datacluster-health.lua with a real Lua interpreter, as Argo CD does: the object in the global obj.</summary>
internal static class ArgoHealth
{
    public const string Script = "docs/gitops/datacluster-health.lua";

    public static async Task<Health> CheckAsync(JsonObject dataCluster)
    {
        var lua = Tools.Lua;
        var harness = Path.Combine(Path.GetTempPath(), $"health-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(harness,
            $"""
            obj = {LuaTable.From(dataCluster)}
            local check = assert(loadfile({LuaTable.From(JsonValue.Create(Repository.PathOf(Script)))}))
            local health = check()
            io.write(tostring(health.status), "\n", tostring(health.message))
            """);
        try
        {
            var result = (await Run.ProcessAsync(lua, [harness])).Succeeded($"lua {Script}");
            var lines = result.Output.Split('\n', 2);
            return new Health(lines[0], lines.Length > 1 ? lines[1] : "");
        }
        finally
        {
            File.Delete(harness);
        }
    }
}
