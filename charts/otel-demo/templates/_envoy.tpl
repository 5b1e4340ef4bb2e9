{{/*
Envoy as a native sidecar of pricing's pod (the Envoy modes). Compose needs a holder
container (pricing-pod) to own the network namespace pricing and Envoy share; a pod is that
namespace, with the pause container as its holder. As an init container with restartPolicy
Always, Envoy starts, and must be ready, before pricing, it is restarted on its own if it
crashes, and it stops after pricing.
*/}}
{{- define "otel-demo.envoySidecar" -}}
- name: envoy
  image: {{ include "otel-demo.upstreamImage" .Values.envoy.image }}
  imagePullPolicy: IfNotPresent
  restartPolicy: Always
  args: ["-c", "/etc/envoy/envoy.yaml", "--log-level", "warn"]
  # The envoy user of the official image (uid 101); with a non-root uid its entrypoint
  # runs Envoy directly instead of switching users itself.
  securityContext:
    {{- toYaml (merge (dict "runAsUser" 101 "runAsGroup" 101) .Values.containerSecurityContext) | nindent 4 }}
  ports:
    - name: envoy-ingress
      containerPort: 10000
    - name: envoy-admin
      containerPort: 9901
  # The admin listener's /ready is 200 once the listeners are up. As a startup probe it
  # also holds pricing back until Envoy is ready (the kubelet starts the next container
  # only after a sidecar's startup probe passes), like compose's depends_on.
  startupProbe:
    httpGet: { path: /ready, port: envoy-admin }
    periodSeconds: 1
    failureThreshold: 30
  readinessProbe:
    httpGet: { path: /ready, port: envoy-admin }
    periodSeconds: 5
  livenessProbe:
    tcpSocket: { port: envoy-admin }
    periodSeconds: 10
    failureThreshold: 3
  resources:
    {{- include "otel-demo.resources" .Values.envoy.resources | nindent 4 }}
  volumeMounts:
    - name: envoy-config
      mountPath: /etc/envoy
      readOnly: true
{{- end -}}
