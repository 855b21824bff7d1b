{{/*
app.kubernetes.io/name of the operator's objects; the operator's own manifests
(datacluster-operator generate-rbac) use the same.
*/}}
{{- define "datacluster.name" -}}
{{- default "datacluster-operator" .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Name of the release's objects: RELEASE-operator, so `helm install datacluster` gives
datacluster-operator.
*/}}
{{- define "datacluster.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-operator" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* Labels that select the operator pods; never change them in an upgrade. */}}
{{- define "datacluster.selectorLabels" -}}
app.kubernetes.io/name: {{ include "datacluster.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/* Labels of every object: the standard ones plus commonLabels. */}}
{{- define "datacluster.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "datacluster.selectorLabels" . }}
app.kubernetes.io/part-of: datacluster
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The operator's ServiceAccount. */}}
{{- define "datacluster.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "datacluster.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* IMAGE:TAG, the tag defaulting to the chart's appVersion. Call with (dict "image" IMAGE "chart" .Chart). */}}
{{- define "datacluster.image" -}}
{{- printf "%s:%s" .image.repository (default .chart.AppVersion .image.tag) }}
{{- end }}
