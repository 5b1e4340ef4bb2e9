{{/*
Shared pieces of every pod. The Service names are the compose service names on purpose (not
prefixed with the release): the config files shared with compose (collector, Envoy,
Prometheus, Tempo, Grafana) name their peers "tempo", "otel-collector", "notifications"...,
and they must resolve unchanged. So one release per namespace. values.schema.json refuses a
mode that is not one of the five.
*/}}

{{/* Call with (dict "ctx" $ "name" "orders"). */}}
{{- define "otel-demo.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- end -}}

{{- define "otel-demo.labels" -}}
{{ include "otel-demo.selectorLabels" . }}
app.kubernetes.io/part-of: otel-demo
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" }}
otel-demo/mode: {{ .ctx.Values.mode }}
{{- end -}}

{{/* <registry><prefix><name>:<tag> for the demo's own images. Call with (dict "ctx" $ "name" "orders"). */}}
{{- define "otel-demo.image" -}}
{{- $i := .ctx.Values.images -}}
{{ printf "%s%s%s:%s" ($i.registry | default "") $i.repositoryPrefix .name (toString $i.tag) }}
{{- end -}}

{{/* An upstream image from {repository, tag}. */}}
{{- define "otel-demo.upstreamImage" -}}
{{ printf "%s:%s" .repository (toString .tag) }}
{{- end -}}

{{/* Container args from a list; quoted, since `--set 'tempo.args={3100}'` makes numbers. */}}
{{- define "otel-demo.args" -}}
{{- with . }}
args:
{{- range . }}
  - {{ toString . | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* A map of environment variables as an env list (in key order; values as strings). */}}
{{- define "otel-demo.env" -}}
{{- $env := list -}}
{{- range $name, $value := . }}
{{- $env = append $env (dict "name" $name "value" (toString $value)) -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/* values' podSecurityContext for the image's user. Call with (dict "ctx" $ "uid" 1000 "gid" 1000), optionally "fsGroup" (default: gid). */}}
{{- define "otel-demo.podSecurityContext" -}}
{{- $user := dict "runAsUser" .uid "runAsGroup" .gid "fsGroup" (hasKey . "fsGroup" | ternary .fsGroup .gid) -}}
{{- toYaml (merge $user .ctx.Values.podSecurityContext) -}}
{{- end -}}

{{/*
Resources from {cpu, memory}: memory request = limit (compose's mem_limit: the container is
killed above it in both); a CPU request only, no CPU limit.
*/}}
{{- define "otel-demo.resources" -}}
{{- toYaml (dict "requests" (dict "cpu" .cpu "memory" .memory) "limits" (dict "memory" .memory)) -}}
{{- end -}}

{{/* A PersistentVolumeClaim named <name>-data. Call with (dict "ctx" $ "name" "orders" "size" "256Mi"). */}}
{{- define "otel-demo.pvc" -}}
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {{ .name }}-data
  labels:
    {{- include "otel-demo.labels" . | nindent 4 }}
  {{- if .ctx.Values.persistence.keepOnUninstall }}
  annotations:
    # Uninstalling the demo must not silently delete its orders; `kubectl delete pvc` does.
    helm.sh/resource-policy: keep
  {{- end }}
spec:
  accessModes: [{{ .ctx.Values.persistence.accessMode }}]
  {{- with .ctx.Values.persistence.storageClassName }}
  storageClassName: {{ . | quote }}
  {{- end }}
  resources:
    requests:
      storage: {{ .size | default .ctx.Values.persistence.size }}
{{- end -}}

{{/*
A telemetry store's data volume source: its PVC when persistence.enabled, else an emptyDir
(the data is disposable, and an emptyDir needs no storage class).
*/}}
{{- define "otel-demo.dataVolume" -}}
{{- if .persistence.enabled -}}
{{- toYaml (dict "persistentVolumeClaim" (dict "claimName" (printf "%s-data" .name))) -}}
{{- else -}}
{{- toYaml (dict "emptyDir" (dict)) -}}
{{- end -}}
{{- end -}}
