{{/* The app.kubernetes.io/name label: the chart name unless overridden. */}}
{{- define "registry-auth-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of the release's objects; cluster-scoped ones carry it too, so two releases never share them. */}}
{{- define "registry-auth-operator.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "registry-auth-operator.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object, and the selector of the operator pods. */}}
{{- define "registry-auth-operator.labels" -}}
app.kubernetes.io/name: {{ include "registry-auth-operator.name" . }}
{{- end -}}

{{- define "registry-auth-operator.leaseName" -}}
{{- default (include "registry-auth-operator.fullname" .) .Values.leaderElection.leaseName -}}
{{- end -}}

{{/*
What the operator does to the objects in the namespaces it serves. Cluster-wide these rules are a
ClusterRole's; with watchNamespaces, a Role's in each of those namespaces.
*/}}
{{- define "registry-auth-operator.namespacedRules" -}}
- apiGroups: ["registryauth.io"]
  resources: ["registryauths"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["registryauth.io"]
  resources: ["repositoryaccesses"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["registryauth.io"]
  resources: ["registryauths/status", "repositoryaccesses/status"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "update"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "update"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end -}}

{{/* The service account the bindings name. */}}
{{- define "registry-auth-operator.subjects" -}}
- kind: ServiceAccount
  name: {{ include "registry-auth-operator.fullname" . }}
  namespace: {{ .Release.Namespace }}
{{- end -}}
