using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Tests.Support;
using DataCluster.Testing;
using DataCluster.Testing.Logging;
using Microsoft.Extensions.Logging;

[assembly: AssemblyFixture(typeof(ControlPlaneFixture))]

namespace DataCluster.Kube.Tests.Integration;

/// <summary>Clients of the shared test API server.</summary>
internal static class Api
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An admin client configured from the fixture's kubeconfig file, as a user would.</summary>
    public static KubeClient Admin(ControlPlaneFixture fixture, KubeClientOptions? options = null) =>
        new(KubeConfig.FromFile(fixture.KubeconfigPath), options, new TypedLogger<KubeClient>(TestLogger.For("client")));

    /// <summary>A client authenticated as <paramref name="user"/> (token auth).</summary>
    public static KubeClient As(ControlPlaneFixture fixture, string user) =>
        new(KubeConfig.FromFile(fixture.KubeconfigPath) with { Token = fixture.TokenFor(user) });

    private sealed class TypedLogger<T>(ILogger inner) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
