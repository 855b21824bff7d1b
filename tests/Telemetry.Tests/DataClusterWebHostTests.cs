using Xunit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace DataCluster.Telemetry.Tests;

public sealed class DataClusterWebHostTests
{
    [Fact]
    public async Task A_host_built_with_the_defaults_watches_no_configuration_file_and_roots_its_content_at_the_program()
    {
        var builder = WebApplication.CreateSlimBuilder(DataClusterWebHost.Options("test"));
        await using var app = builder.Build();

        Assert.Equal(
            Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory),
            Path.TrimEndingDirectorySeparator(app.Environment.ContentRootPath));
        var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.All(files, file => Assert.False(file.Source.ReloadOnChange, $"{file.Source.Path} is watched for changes"));
        Assert.Equal("test", app.Environment.ApplicationName);
    }
}
