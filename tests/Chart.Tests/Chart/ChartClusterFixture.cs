using DataCluster.Chart.Tests.Support;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Chart.Tests.Chart;

/// <summary>
/// A real API server prepared for the chart: the chart's CRD, a small ServiceMonitor CRD (the
/// Prometheus operator is not installed, so this one declares only the fields the chart uses)
/// and a PriorityClass for the priority-class case.
/// </summary>
public sealed class ChartClusterFixture : ControlPlaneFixture
{
    private const string ServiceMonitorCrd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: servicemonitors.monitoring.coreos.com
        spec:
          group: monitoring.coreos.com
          scope: Namespaced
          names:
            kind: ServiceMonitor
            listKind: ServiceMonitorList
            plural: servicemonitors
            singular: servicemonitor
          versions:
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      required: [selector, endpoints]
                      properties:
                        selector:
                          type: object
                          properties:
                            matchLabels:
                              type: object
                              additionalProperties: { type: string }
                        namespaceSelector:
                          type: object
                          properties:
                            matchNames:
                              type: array
                              items: { type: string }
                        endpoints:
                          type: array
                          items:
                            type: object
                            properties:
                              port: { type: string }
                              path: { type: string }
                              interval: { type: string, pattern: "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$" }
                              scrapeTimeout: { type: string }
        ---
        apiVersion: scheduling.k8s.io/v1
        kind: PriorityClass
        metadata:
          name: datacluster-test-priority
        value: 1000
        description: For the chart's priority-class test.
        """;

    private readonly SemaphoreSlim _prepare = new(1, 1);
    private bool _prepared;

    /// <summary>Installs the CRDs and the PriorityClass once; skips the test when there is no control plane or kubectl.</summary>
    public async Task PrepareAsync()
    {
        RequireControlPlane();
        var kubectl = Tools.Kubectl;
        await _prepare.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_prepared)
            {
                return;
            }

            (await Run.ProcessAsync(kubectl, ["--kubeconfig", KubeconfigPath, "apply", "-f", $"{Repository.Chart}/crds/"])).Succeeded("kubectl apply of the chart's CRD");
            (await Run.ProcessAsync(kubectl, ["--kubeconfig", KubeconfigPath, "apply", "-f", "-"], ServiceMonitorCrd)).Succeeded("kubectl apply of the ServiceMonitor CRD");
            (await Run.ProcessAsync(kubectl, ["--kubeconfig", KubeconfigPath, "wait", "--for=condition=Established", "--timeout=60s",
                "crd/dataclusters.datacluster.dev", "crd/servicemonitors.monitoring.coreos.com"])).Succeeded("kubectl wait for the CRDs");
            _prepared = true;
        }
        finally
        {
            _prepare.Release();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ChartClusterCollection : ICollectionFixture<ChartClusterFixture>
{
    public const string Name = "chart on a real API server";
}
