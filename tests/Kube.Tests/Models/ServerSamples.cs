namespace DataCluster.Kube.Tests.Models;

/// <summary>
/// Objects in the exact shape an API server returns them: server-set metadata, managedFields,
/// defaulted fields, explicit nulls where the server writes them.
/// </summary>
internal static partial class ServerSamples
{
    public const string StatefulSet = """
    {
      "kind": "StatefulSet",
      "apiVersion": "apps/v1",
      "metadata": {
        "name": "orders",
        "namespace": "shop",
        "uid": "6f2a3c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
        "resourceVersion": "48213",
        "generation": 3,
        "creationTimestamp": "2024-03-01T10:15:30Z",
        "labels": { "app.kubernetes.io/name": "orders", "datacluster.dev/cluster": "orders" },
        "ownerReferences": [
          {
            "apiVersion": "datacluster.dev/v1alpha1",
            "kind": "DataCluster",
            "name": "orders",
            "uid": "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
            "controller": true,
            "blockOwnerDeletion": true
          }
        ],
        "managedFields": [
          {
            "manager": "datacluster-operator",
            "operation": "Apply",
            "apiVersion": "apps/v1",
            "time": "2024-03-01T10:15:30Z",
            "fieldsType": "FieldsV1",
            "fieldsV1": { "f:spec": { "f:replicas": {}, "f:serviceName": {} } }
          },
          {
            "manager": "kube-controller-manager",
            "operation": "Update",
            "apiVersion": "apps/v1",
            "time": "2024-03-01T10:16:02Z",
            "fieldsType": "FieldsV1",
            "fieldsV1": { "f:status": { "f:readyReplicas": {} } },
            "subresource": "status"
          }
        ]
      },
      "spec": {
        "replicas": 3,
        "selector": { "matchLabels": { "app.kubernetes.io/name": "orders" } },
        "template": {
          "metadata": {
            "creationTimestamp": null,
            "labels": { "app.kubernetes.io/name": "orders" }
          },
          "spec": {
            "containers": [
              {
                "name": "agent",
                "image": "registry.local/datacluster/agent:0.1.0",
                "args": ["--data-dir=/var/lib/datacluster"],
                "ports": [
                  { "name": "client", "containerPort": 7400, "protocol": "TCP" },
                  { "name": "peer", "containerPort": 7401, "protocol": "TCP" }
                ],
                "env": [
                  { "name": "POD_NAME", "valueFrom": { "fieldRef": { "apiVersion": "v1", "fieldPath": "metadata.name" } } },
                  { "name": "GOMAXPROCS", "valueFrom": { "resourceFieldRef": { "containerName": "agent", "resource": "limits.cpu", "divisor": "0" } } },
                  { "name": "PEER_TOKEN", "valueFrom": { "secretKeyRef": { "name": "orders-peer-token", "key": "token" } } }
                ],
                "resources": { "limits": { "cpu": "1", "memory": "256Mi" }, "requests": { "cpu": "250m", "memory": "128Mi" } },
                "volumeMounts": [ { "name": "data", "mountPath": "/var/lib/datacluster" } ],
                "readinessProbe": {
                  "httpGet": { "path": "/readyz", "port": "client", "scheme": "HTTP" },
                  "timeoutSeconds": 1,
                  "periodSeconds": 2,
                  "successThreshold": 1,
                  "failureThreshold": 3
                },
                "lifecycle": { "preStop": { "httpGet": { "path": "/drain", "port": 7400, "scheme": "HTTP" } } },
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
                "imagePullPolicy": "IfNotPresent",
                "securityContext": {
                  "capabilities": { "drop": ["ALL"] },
                  "runAsNonRoot": true,
                  "readOnlyRootFilesystem": true,
                  "allowPrivilegeEscalation": false
                }
              }
            ],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "orders-agent",
            "serviceAccount": "orders-agent",
            "securityContext": { "runAsUser": 10001, "fsGroup": 10001, "seccompProfile": { "type": "RuntimeDefault" } },
            "schedulerName": "default-scheduler"
          }
        },
        "volumeClaimTemplates": [
          {
            "kind": "PersistentVolumeClaim",
            "apiVersion": "v1",
            "metadata": { "name": "data", "creationTimestamp": null },
            "spec": {
              "accessModes": ["ReadWriteOnce"],
              "resources": { "requests": { "storage": "1Gi" } },
              "volumeMode": "Filesystem"
            },
            "status": { "phase": "Pending" }
          }
        ],
        "serviceName": "orders-peers",
        "podManagementPolicy": "Parallel",
        "updateStrategy": { "type": "RollingUpdate", "rollingUpdate": { "partition": 0 } },
        "revisionHistoryLimit": 10
      },
      "status": {
        "observedGeneration": 3,
        "replicas": 3,
        "readyReplicas": 2,
        "currentReplicas": 3,
        "updatedReplicas": 3,
        "currentRevision": "orders-5d8f7c9b6",
        "updateRevision": "orders-5d8f7c9b6",
        "collisionCount": 0
      }
    }
    """;

    public const string Pod = """
    {
      "kind": "Pod",
      "apiVersion": "v1",
      "metadata": {
        "name": "orders-0",
        "generateName": "orders-",
        "namespace": "shop",
        "uid": "9c8b7a6f-5e4d-3c2b-1a09-f8e7d6c5b4a3",
        "resourceVersion": "48190",
        "creationTimestamp": "2024-03-01T10:15:31Z",
        "labels": {
          "app.kubernetes.io/name": "orders",
          "controller-revision-hash": "orders-5d8f7c9b6",
          "statefulset.kubernetes.io/pod-name": "orders-0"
        },
        "ownerReferences": [
          { "apiVersion": "apps/v1", "kind": "StatefulSet", "name": "orders", "uid": "6f2a3c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b", "controller": true, "blockOwnerDeletion": true }
        ]
      },
      "spec": {
        "volumes": [
          { "name": "data", "persistentVolumeClaim": { "claimName": "data-orders-0" } },
          {
            "name": "kube-api-access-x7k2p",
            "projected": {
              "sources": [
                { "serviceAccountToken": { "expirationSeconds": 3607, "path": "token" } },
                { "configMap": { "name": "kube-root-ca.crt", "items": [ { "key": "ca.crt", "path": "ca.crt" } ] } },
                { "downwardAPI": { "items": [ { "path": "namespace", "fieldRef": { "apiVersion": "v1", "fieldPath": "metadata.namespace" } } ] } }
              ],
              "defaultMode": 420
            }
          }
        ],
        "containers": [
          {
            "name": "agent",
            "image": "registry.local/datacluster/agent:0.1.0",
            "ports": [ { "name": "client", "containerPort": 7400, "protocol": "TCP" } ],
            "resources": { "limits": { "cpu": "1" }, "requests": { "cpu": "1" } },
            "volumeMounts": [
              { "name": "data", "mountPath": "/var/lib/datacluster" },
              { "name": "kube-api-access-x7k2p", "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount" }
            ],
            "livenessProbe": { "tcpSocket": { "port": 7400 }, "initialDelaySeconds": 5, "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3 },
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
            "imagePullPolicy": "IfNotPresent"
          }
        ],
        "restartPolicy": "Always",
        "terminationGracePeriodSeconds": 30,
        "dnsPolicy": "ClusterFirst",
        "serviceAccountName": "default",
        "serviceAccount": "default",
        "nodeName": "node-a",
        "securityContext": {},
        "hostname": "orders-0",
        "subdomain": "orders-peers",
        "schedulerName": "default-scheduler",
        "tolerations": [
          { "key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300 },
          { "key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300 }
        ],
        "priority": 0,
        "enableServiceLinks": true,
        "preemptionPolicy": "PreemptLowerPriority"
      },
      "status": {
        "phase": "Running",
        "conditions": [
          { "type": "Initialized", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2024-03-01T10:15:31Z" },
          { "type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2024-03-01T10:15:40Z" },
          { "type": "ContainersReady", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2024-03-01T10:15:40Z" },
          { "type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2024-03-01T10:15:31Z" }
        ],
        "hostIP": "10.0.0.11",
        "podIP": "10.244.1.17",
        "podIPs": [ { "ip": "10.244.1.17" } ],
        "startTime": "2024-03-01T10:15:31Z",
        "containerStatuses": [
          {
            "name": "agent",
            "state": { "running": { "startedAt": "2024-03-01T10:15:35Z" } },
            "lastState": { "terminated": { "exitCode": 137, "reason": "OOMKilled", "startedAt": "2024-03-01T10:15:32Z", "finishedAt": "2024-03-01T10:15:34Z", "containerID": "containerd://1f2e3d" } },
            "ready": true,
            "restartCount": 1,
            "image": "registry.local/datacluster/agent:0.1.0",
            "imageID": "registry.local/datacluster/agent@sha256:3b1f0c",
            "containerID": "containerd://4c5d6e",
            "started": true
          }
        ],
        "qosClass": "Guaranteed"
      }
    }
    """;

    public const string Node = """
    {
      "kind": "Node",
      "apiVersion": "v1",
      "metadata": {
        "name": "node-a",
        "uid": "1a2b3c4d-0000-4000-8000-000000000001",
        "resourceVersion": "48001",
        "creationTimestamp": "2024-02-28T08:00:00Z",
        "labels": { "kubernetes.io/hostname": "node-a", "topology.kubernetes.io/zone": "zone-1" },
        "annotations": { "node.alpha.kubernetes.io/ttl": "0" }
      },
      "spec": {
        "podCIDR": "10.244.1.0/24",
        "podCIDRs": ["10.244.1.0/24"],
        "taints": [ { "key": "dedicated", "value": "data", "effect": "NoSchedule" } ]
      },
      "status": {
        "capacity": { "cpu": "4", "ephemeral-storage": "102350Mi", "memory": "16393412Ki", "pods": "110" },
        "allocatable": { "cpu": "3800m", "ephemeral-storage": "96589148423", "memory": "15881412Ki", "pods": "110" },
        "conditions": [
          { "type": "MemoryPressure", "status": "False", "lastHeartbeatTime": "2024-03-01T10:20:00Z", "lastTransitionTime": "2024-02-28T08:00:00Z", "reason": "KubeletHasSufficientMemory", "message": "kubelet has sufficient memory available" },
          { "type": "Ready", "status": "True", "lastHeartbeatTime": "2024-03-01T10:20:00Z", "lastTransitionTime": "2024-02-28T08:00:30Z", "reason": "KubeletReady", "message": "kubelet is posting ready status" }
        ],
        "addresses": [ { "type": "InternalIP", "address": "10.0.0.11" }, { "type": "Hostname", "address": "node-a" } ],
        "daemonEndpoints": { "kubeletEndpoint": { "Port": 10250 } },
        "nodeInfo": {
          "machineID": "5f3c", "systemUUID": "5f3c-11", "bootID": "b007",
          "kernelVersion": "6.1.0-18-amd64", "osImage": "Debian GNU/Linux 12 (bookworm)",
          "containerRuntimeVersion": "containerd://1.6.20", "kubeletVersion": "v1.20.2", "kubeProxyVersion": "v1.20.2",
          "operatingSystem": "linux", "architecture": "amd64"
        },
        "images": [ { "names": ["registry.local/datacluster/agent:0.1.0"], "sizeBytes": 41234567 } ]
      }
    }
    """;

    public const string Service = """
    {
      "kind": "Service",
      "apiVersion": "v1",
      "metadata": {
        "name": "orders-peers",
        "namespace": "shop",
        "uid": "2b3c4d5e-0000-4000-8000-000000000002",
        "resourceVersion": "48100",
        "creationTimestamp": "2024-03-01T10:15:30Z"
      },
      "spec": {
        "ports": [
          { "name": "peer", "protocol": "TCP", "port": 7401, "targetPort": "peer" },
          { "name": "client", "protocol": "TCP", "appProtocol": "http", "port": 80, "targetPort": 7400 }
        ],
        "selector": { "app.kubernetes.io/name": "orders" },
        "clusterIP": "None",
        "clusterIPs": ["None"],
        "type": "ClusterIP",
        "sessionAffinity": "None",
        "publishNotReadyAddresses": true,
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack"
      },
      "status": { "loadBalancer": {} }
    }
    """;

    /// <summary>A core Event as kube-controller-manager 1.20 records it: eventTime is an explicit null.</summary>
    public const string Event = """
    {
      "kind": "Event",
      "apiVersion": "v1",
      "metadata": {
        "name": "orders.17b8c9d0e1f2a3b4",
        "namespace": "shop",
        "uid": "3c4d5e6f-0000-4000-8000-000000000003",
        "resourceVersion": "48150",
        "creationTimestamp": "2024-03-01T10:15:31Z"
      },
      "involvedObject": { "kind": "StatefulSet", "namespace": "shop", "name": "orders", "uid": "6f2a3c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b", "apiVersion": "apps/v1", "resourceVersion": "48101" },
      "reason": "SuccessfulCreate",
      "message": "create Pod orders-0 in StatefulSet orders successful",
      "source": { "component": "statefulset-controller" },
      "firstTimestamp": "2024-03-01T10:15:31Z",
      "lastTimestamp": "2024-03-01T10:15:31Z",
      "count": 1,
      "type": "Normal",
      "eventTime": null,
      "reportingComponent": "",
      "reportingInstance": ""
    }
    """;

    /// <summary>An Event recorded through the newer API: eventTime and series are set, the legacy timestamps are null.</summary>
    public const string SeriesEvent = """
    {
      "kind": "Event",
      "apiVersion": "v1",
      "metadata": { "name": "orders-0.17b8", "namespace": "shop", "resourceVersion": "48160", "creationTimestamp": "2024-03-01T10:16:00Z" },
      "involvedObject": { "kind": "Pod", "namespace": "shop", "name": "orders-0", "apiVersion": "v1", "fieldPath": "spec.containers{agent}" },
      "reason": "Unhealthy",
      "message": "Readiness probe failed",
      "source": {},
      "firstTimestamp": null,
      "lastTimestamp": null,
      "type": "Warning",
      "eventTime": "2024-03-01T10:16:00.123456Z",
      "series": { "count": 4, "lastObservedTime": "2024-03-01T10:16:30.654321Z" },
      "action": "Probe",
      "related": { "kind": "Node", "name": "node-a", "apiVersion": "v1" },
      "reportingComponent": "kubelet",
      "reportingInstance": "node-a"
    }
    """;
}
