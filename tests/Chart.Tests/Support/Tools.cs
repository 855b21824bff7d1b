using DataCluster.Testing;
using DataCluster.LocalCluster.ControlPlane;
using Xunit;

namespace DataCluster.Chart.Tests.Support;

/// <summary>
/// helm, kubectl (hack/tools.sh) and Lua (hack/lua.sh), found through DATACLUSTER_TOOLS,
/// DATACLUSTER_LUA or PATH. A missing tool skips the test, and fails it under CI=true.
/// </summary>
internal static class Tools
{
    public static string Helm => Require(InToolsOrPath("helm"), "helm", "run hack/tools.sh and put its directory in DATACLUSTER_TOOLS or PATH");

    public static string Kubectl => Require(InToolsOrPath("kubectl"), "kubectl", "run hack/tools.sh and put its directory in DATACLUSTER_TOOLS or PATH");

    public static string Lua => Require(
        Environment.GetEnvironmentVariable("DATACLUSTER_LUA") is { Length: > 0 } lua && File.Exists(lua) ? lua : OnPath("lua5.4"),
        "Lua 5.4",
        "run hack/lua.sh and put the path it prints in DATACLUSTER_LUA");

    private static string? InToolsOrPath(string name) =>
        Environment.GetEnvironmentVariable("DATACLUSTER_TOOLS") is { Length: > 0 } tools && File.Exists(Path.Combine(tools, name))
            ? Path.Combine(tools, name)
            : OnPath(name);

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    private static string Require(string? path, string what, string how)
    {
        if (path is null)
        {
            Prerequisite.Missing($"{what} is missing: {how}.");
        }

        return path;
    }
}
