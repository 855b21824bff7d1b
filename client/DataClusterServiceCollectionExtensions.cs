using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DataCluster.Client;

/// <summary>Registers <see cref="IDataClusterClient"/> with a service collection.</summary>
public static class DataClusterServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IDataClusterClient"/> (a singleton <see cref="DataClusterClient"/>), its
    /// options read from the configuration section <see cref="DataClusterClientOptions.SectionName"/>
    /// when an <see cref="IConfiguration"/> is registered, then changed by
    /// <paramref name="configure"/>; its <see cref="HttpClient"/> comes from
    /// <see cref="IHttpClientFactory"/> under <see cref="DataClusterClient.HttpClientName"/>.
    /// </summary>
    public static IServiceCollection AddDataClusterClient(this IServiceCollection services, Action<DataClusterClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<DataClusterClientOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<DataClusterClientOptions>, ConfigureFromConfiguration>());
        return AddCore(services, configure);
    }

    /// <summary>As <see cref="AddDataClusterClient(IServiceCollection, Action{DataClusterClientOptions}?)"/>, with the options read from <paramref name="configuration"/> (a section such as <c>DataCluster:Client</c>).</summary>
    public static IServiceCollection AddDataClusterClient(this IServiceCollection services, IConfiguration configuration, Action<DataClusterClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DataClusterClientOptions>().Configure(options => configuration.Bind(options));
        return AddCore(services, configure);
    }

    private static IServiceCollection AddCore(IServiceCollection services, Action<DataClusterClientOptions>? configure)
    {
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DataClusterClientOptions>, DataClusterClientOptionsValidator>());
        // No overall timeout on the HttpClient: the client limits each request itself, and the
        // assignment streams stay open for as long as the app runs.
        services.AddHttpClient(DataClusterClient.HttpClientName).ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DataClusterClient>();
        services.TryAddSingleton<IDataClusterClient>(provider => provider.GetRequiredService<DataClusterClient>());
        return services;
    }

    /// <summary>Reads the options from the app's configuration, when it has one.</summary>
    private sealed class ConfigureFromConfiguration(IServiceProvider provider) : IConfigureOptions<DataClusterClientOptions>
    {
        public void Configure(DataClusterClientOptions options)
        {
            if (provider.GetService<IConfiguration>() is { } configuration)
            {
                configuration.GetSection(DataClusterClientOptions.SectionName).Bind(options);
            }
        }
    }
}
