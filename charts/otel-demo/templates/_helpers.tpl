{{/*
Shared pieces of every pod. The Service names are the compose service names on purpose (not
prefixed with the release): the config files shared with compose (collector, Envoy,
Prometheus, Tempo, Grafana) name their peers "tempo", "otel-collector", "notifications"...,
and they must resolve unchanged. So one release per namespace.
*/}}

{{- define "otel-demo.modes" -}}sdk envoy envoy-propagation ebpf{{- end -}}

{{/* The mode, validated: every template calls this, so a bad value stops any render. */}}
{{- define "otel-demo.mode" -}}
{{- $modes := splitList " " (include "otel-demo.modes" .) -}}
{{- if not (has .Values.mode $modes) -}}
{{- fail (printf "mode %q is not one of: %s" (toString .Values.mode) (join ", " $modes)) -}}
{{- end -}}
{{- .Values.mode -}}
{{- end -}}

{{- define "otel-demo.envoyMode" -}}
{{- if hasPrefix "envoy" (include "otel-demo.mode" .) }}true{{ end -}}
{{- end -}}

{{- define "otel-demo.chart" -}}
{{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}
{{- end -}}

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
helm.sh/chart: {{ include "otel-demo.chart" .ctx }}
otel-demo/mode: {{ include "otel-demo.mode" .ctx }}
{{- end -}}

{{/* <registry><prefix><name>:<tag> for the demo's own images. Call with (dict "ctx" $ "name" "orders"). */}}
{{- define "otel-demo.image" -}}
{{- $i := .ctx.Values.images -}}
{{ printf "%s%s%s:%s" ($i.registry | default "") $i.repositoryPrefix .name (toString $i.tag) }}
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

{{/* An upstream image from {repository, tag}. */}}
{{- define "otel-demo.upstreamImage" -}}
{{ printf "%s:%s" .repository (toString .tag) }}
{{- end -}}

{{/*
The pod half of the restricted Pod Security Standard. uid/gid are the image's own user, so
files the image ships stay readable and its data directories writable; fsGroup makes the
volumes (PVC, emptyDir) writable by that user. Call with (dict "uid" 1000 "gid" 1000)
and optionally "fsGroup".
*/}}
{{- define "otel-demo.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .uid }}
  runAsGroup: {{ .gid }}
  fsGroup: {{ hasKey . "fsGroup" | ternary .fsGroup .gid }}
  # Chown the volume once, not on every start (a PVC keeps the ownership).
  fsGroupChangePolicy: OnRootMismatch
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/* The container half of the restricted Pod Security Standard. */}}
{{- define "otel-demo.containerSecurityContext" -}}
securityContext:
  allowPrivilegeEscalation: false
  runAsNonRoot: true
  capabilities:
    drop: [ALL]
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/*
Memory request = limit (compose's mem_limit: the container is killed above it in both);
a CPU request only, no CPU limit.
*/}}
{{- define "otel-demo.resources" -}}
resources:
  requests:
    cpu: {{ .cpu }}
    memory: {{ .memory }}
  limits:
    memory: {{ .memory }}
{{- end -}}

{{/* A map of environment variables as an env list, in key order. */}}
{{- define "otel-demo.envFromMap" -}}
{{- range $k, $v := . }}
- name: {{ $k }}
  value: {{ toString $v | quote }}
{{- end }}
{{- end -}}

{{- define "otel-demo.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
A telemetry store's data volume: a PVC when persistence.enabled, else an emptyDir (the data
is disposable, and an emptyDir needs no storage class). Call with (dict "ctx" $ "name" "tempo"
"persistence" .Values.tempo.persistence).
*/}}
{{- define "otel-demo.dataVolume" -}}
- name: data
{{- if .persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ .name }}-data
{{- else }}
  emptyDir: {}
{{- end }}
{{- end -}}

{{/* A PersistentVolumeClaim named <name>-data. Call with (dict "ctx" $ "name" "orders" "size" "256Mi"). */}}
{{- define "otel-demo.pvc" -}}
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {{ .name }}-data
  labels:
    {{- include "otel-demo.labels" (dict "ctx" .ctx "name" .name) | nindent 4 }}
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

{{/* The environment every instrumented Node service shares (x-node-service in compose). */}}
{{- define "otel-demo.otelEnv" -}}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .Values.otel.exporterOtlpEndpoint | quote }}
- name: OTEL_METRIC_EXPORT_INTERVAL
  value: {{ .Values.otel.metricExportInterval | quote }}
- name: OTEL_TRACES_SAMPLER
  value: {{ .Values.otel.tracesSampler | quote }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ .Values.otel.tracesSamplerArg | quote }}
{{- end -}}

{{/*
One of the four Node services: PVC, Deployment and Service. Call with a dict:
  ctx        the root context
  name       orders | inventory | pricing | notifications
  port       the service's PORT
  env        the env list (YAML text), compose's environment for the current mode
  resources  {cpu, memory}
optional:
  servicePort / serviceTargetPort  what the Service exposes (default: port)
  probes          YAML text replacing the httpGet /health probes
  initContainers  YAML text (pricing's native Envoy sidecar)
  extraVolumes    YAML text (their volumes)
  annotations     pod annotations (config checksums)
  noContainerPort true when the app listens on its loopback only
  nodeSelector
*/}}
{{- define "otel-demo.nodeService" -}}
{{- $ctx := .ctx -}}
{{- $labels := dict "ctx" $ctx "name" .name -}}
{{ include "otel-demo.pvc" (dict "ctx" $ctx "name" .name) }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
  labels:
    {{- include "otel-demo.labels" $labels | nindent 4 }}
spec:
  replicas: 1
  # The SQLite file lives on a ReadWriteOnce PVC and belongs to one process: a rolling update
  # would start a second pod that cannot mount the volume (another node) or would write the
  # same database file beside the old one (same node). Stop the old pod first.
  strategy:
    type: Recreate
  selector:
    matchLabels:
      {{- include "otel-demo.selectorLabels" $labels | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "otel-demo.labels" $labels | nindent 8 }}
      {{- with .annotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      {{- include "otel-demo.imagePullSecrets" $ctx | nindent 6 }}
      # The node image's user "node" (services/Dockerfile: USER node).
      {{- include "otel-demo.podSecurityContext" (dict "uid" 1000 "gid" 1000) | nindent 6 }}
      {{- with .nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .initContainers }}
      initContainers:
        {{- . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .name }}
          image: {{ include "otel-demo.image" $labels }}
          imagePullPolicy: {{ $ctx.Values.images.pullPolicy }}
          {{- include "otel-demo.containerSecurityContext" . | nindent 10 }}
          env:
            {{- .env | nindent 12 }}
          {{- if not .noContainerPort }}
          ports:
            - name: http
              containerPort: {{ .port }}
          {{- end }}
          {{- if .probes }}
          {{- .probes | nindent 10 }}
          {{- else }}
          # /health answers without touching the database, and the services leave it out of
          # their traces (services/shared), so probing it costs nothing in Tempo.
          readinessProbe:
            httpGet: { path: /health, port: http }
            periodSeconds: 5
            timeoutSeconds: 3
          livenessProbe:
            httpGet: { path: /health, port: http }
            initialDelaySeconds: 15
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 5
          {{- end }}
          {{- include "otel-demo.resources" .resources | nindent 10 }}
          volumeMounts:
            - name: data
              mountPath: /app/data
      volumes:
        - name: data
          persistentVolumeClaim:
            claimName: {{ .name }}-data
        {{- with .extraVolumes }}
        {{- . | nindent 8 }}
        {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  labels:
    {{- include "otel-demo.labels" $labels | nindent 4 }}
spec:
  selector:
    {{- include "otel-demo.selectorLabels" $labels | nindent 4 }}
  ports:
    - name: http
      port: {{ .servicePort | default .port }}
      targetPort: {{ .serviceTargetPort | default .port }}
{{- end -}}
