using Microsoft.AspNetCore.Builder;

namespace DataCluster.Telemetry;

/// <summary>How the operator and the agent build their web hosts.</summary>
public static class DataClusterWebHost
{
    /// <summary>
    /// Options for <see cref="WebApplication.CreateSlimBuilder(WebApplicationOptions)"/>: no
    /// command-line arguments (both programs read environment variables), the content root at
    /// the program's own directory, and no watching of configuration files. Neither program
    /// reads <c>appsettings.json</c>, and watching it for changes means a recursive file-system
    /// watch of the content root, which by default is the working directory: run beside a data
    /// directory, every write of the storage engine became an event to examine.
    /// </summary>
    /// <param name="applicationName">The application name, or null for the entry assembly's.</param>
    public static WebApplicationOptions Options(string? applicationName = null) => new()
    {
        ApplicationName = applicationName,
        Args = ["--hostBuilder:reloadConfigOnChange=false"],
        ContentRootPath = AppContext.BaseDirectory,
    };
}
