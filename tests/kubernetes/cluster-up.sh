#!/usr/bin/env bash
# Starts a real single-node Kubernetes v1.37.2 on this machine from what build-cluster.sh
# built: etcd, a dedicated containerd (CRI on; Docker's own containerd has CRI off),
# kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, a bridge CNI,
# CoreDNS and a default StorageClass. Waits until the node and CoreDNS are Ready.
# All state is under $K8S_STATE (/var/lib/otel-demo-k8s); cluster-down.sh removes it all.
# Prints the kubeconfig path: export KUBECONFIG=/var/lib/otel-demo-k8s/admin.kubeconfig
# Needs root (network, mounts, cgroups). Takes ~15 s.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/env.sh"
[ "$(id -u)" -eq 0 ] || { echo "cluster-up.sh must run as root"; exit 1; }

log() { echo "[up $(date +%T)] $*"; }
t_start=$SECONDS

for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl crictl; do
  [ -x "$K8S_BIN/$b" ] || { echo "missing $K8S_BIN/$b: run tests/kubernetes/build-cluster.sh"; exit 1; }
done
for f in pause.tar coredns.tar; do
  [ -f "$K8S_IMAGES/$f" ] || { echo "missing $K8S_IMAGES/$f: run tests/kubernetes/build-cluster.sh"; exit 1; }
done
# Running = the recorded pid is a live kube-apiserver (a zombie's cmdline is empty).
if [ -f "$K8S_STATE/run/kube-apiserver.pid" ] &&
   [[ "$(tr '\0' ' ' 2>/dev/null <"/proc/$(cat "$K8S_STATE/run/kube-apiserver.pid")/cmdline")" == *kube-apiserver* ]]; then
  echo "a cluster is already running (state: $K8S_STATE); run cluster-down.sh first"; exit 1
fi
# Leftovers of a run that was not taken down (a killed test): start from a clean machine.
if [ -d "$K8S_STATE" ]; then log "state of an earlier cluster found: cleaning it up first"; "$HERE/cluster-down.sh"; fi

PKI=$K8S_STATE/pki
RUN=$K8S_STATE/run
LOGS=$K8S_STATE/logs
mkdir -p "$PKI" "$RUN" "$LOGS" "$K8S_STATE/etc" "$K8S_STATE/cni/net.d" "$K8S_STATE/kubelet" "$K8S_STATE/pod-logs" "$K8S_STATE/pv"
export KUBECONFIG=$KUBECONFIG_PATH
kubectl() { "$K8S_BIN/kubectl" "$@"; }

# The netfilter tables present now: cluster-down deletes those the cluster adds (when empty).
[ -f "$K8S_STATE/tables-before" ] || { { iptables-save | sed -n 's/^\*/ip /p'; ip6tables-save | sed -n 's/^\*/ip6 /p'; } 2>/dev/null >"$K8S_STATE/tables-before"; }

# --- Network: the node's /32 on lo (endpoints may not be loopback; `dummy` links are missing).
[[ "$(ip -4 -o addr show dev lo)" == *" $NODE_IP/32 "* ]] || ip addr add "$NODE_IP/32" dev lo
# Pods reach each other and Services through the bridge; br_netfilter lets kube-proxy see it.
modprobe br_netfilter 2>/dev/null || true
sysctl -qw net.ipv4.ip_forward=1
[ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || sysctl -qw net.bridge.bridge-nf-call-iptables=1

# --- PKI: one CA; a certificate per component (openssl, EC P-256: fast to make).
ca_cert() {
  [ -f "$PKI/ca.crt" ] && return
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/ca.key"
  openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=otel-demo-k8s-ca" -days 3650 -out "$PKI/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
}
# cert <name> <subject> <extendedKeyUsage> [subjectAltName]
cert() {
  local name=$1 subj=$2 eku=$3 san=${4:-}
  [ -f "$PKI/$name.crt" ] && return
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$name.key"
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [ -z "$san" ] || echo "subjectAltName=$san"
  } >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}
ca_cert
cert apiserver "/CN=kube-apiserver" serverAuth \
  "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN,DNS:localhost,IP:$NODE_IP,IP:$KUBERNETES_SVC_IP,IP:127.0.0.1"
# system:masters: the kubelet's webhook authorizer then allows the apiserver's exec/logs calls.
cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
cert admin "/O=system:masters/CN=otel-demo-admin" clientAuth
cert controller-manager "/CN=system:kube-controller-manager" clientAuth
cert scheduler "/CN=system:kube-scheduler" clientAuth
cert kube-proxy "/CN=system:kube-proxy" clientAuth
cert kubelet-client "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
cert kubelet-serving "/CN=$NODE_NAME" serverAuth "DNS:$NODE_NAME,IP:$NODE_IP"
[ -f "$PKI/sa.key" ] || { openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/sa.key"; openssl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null; }

kubeconfig() { # kubeconfig <file> <cert-name> <user>
  local f=$1 c=$2 u=$3
  "$K8S_BIN/kubectl" config --kubeconfig="$f" set-cluster otel-demo --server="https://$NODE_IP:$APISERVER_PORT" \
    --certificate-authority="$PKI/ca.crt" --embed-certs=true >/dev/null
  "$K8S_BIN/kubectl" config --kubeconfig="$f" set-credentials "$u" --client-certificate="$PKI/$c.crt" \
    --client-key="$PKI/$c.key" --embed-certs=true >/dev/null
  "$K8S_BIN/kubectl" config --kubeconfig="$f" set-context otel-demo --cluster=otel-demo --user="$u" >/dev/null
  "$K8S_BIN/kubectl" config --kubeconfig="$f" use-context otel-demo >/dev/null
}
kubeconfig "$KUBECONFIG_PATH" admin otel-demo-admin
kubeconfig "$K8S_STATE/etc/controller-manager.kubeconfig" controller-manager system:kube-controller-manager
kubeconfig "$K8S_STATE/etc/scheduler.kubeconfig" scheduler system:kube-scheduler
kubeconfig "$K8S_STATE/etc/kube-proxy.kubeconfig" kube-proxy system:kube-proxy
kubeconfig "$K8S_STATE/etc/kubelet.kubeconfig" kubelet-client "system:node:$NODE_NAME"

# start <name> <command...>: a daemon in its own session, pid in $RUN/<name>.pid.
start() {
  local name=$1; shift
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}
# wait_for <what> <seconds> <command...>
wait_for() {
  local what=$1 secs=$2; shift 2
  local i
  for ((i = 0; i < secs * 2; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "timed out after ${secs}s waiting for $what; logs in $LOGS"; return 1
}
fail() {
  echo "$*"; for f in "$LOGS"/*.log; do echo "== $f"; tail -n 15 "$f"; done
  echo "cluster-up failed; the processes started so far are still running: run cluster-down.sh"; exit 1
}

# --- etcd 3.4 (Debian), plain HTTP on loopback only.
log "starting etcd"
start etcd etcd --name otel-demo --data-dir "$K8S_STATE/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "otel-demo=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls "" \
  --quota-backend-bytes 2147483648 --log-level warn

# --- containerd, our own instance: own socket/root/state/config so Docker's is untouched.
# restrict_oom_score_adj: root lacks CAP_SYS_RESOURCE here, runc failed writing oom_score_adj.
cat >"$K8S_STATE/etc/containerd.toml" <<EOF
version = 2
root = "$K8S_STATE/containerd"
state = "$RUN/containerd/state"
disabled_plugins = ["io.containerd.internal.v1.tracing", "io.containerd.grpc.v1.introspection.nri"]
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$RUN/containerd/ttrpc.sock"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$K8S_STATE/containerd-opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  # Pod network namespaces under our state dir, not /var/run/netns: teardown is total.
  netns_mounts_under_state_dir = true
  enable_selinux = false
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    discard_unpacked_layers = false
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$K8S_STATE/cni/net.d"
    max_conf_num = 1
EOF
# The pod network: bridge + host-local IPAM (state in $K8S_STATE) + portmap (hostPort) +
# firewall (Docker sets FORWARD's policy to DROP; this plugin accepts the pods' traffic).
cat >"$K8S_STATE/cni/net.d/10-otel-demo.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "otel-demo-k8s",
  "plugins": [
    {"type": "bridge", "bridge": "$POD_BRIDGE", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}],
              "dataDir": "$K8S_STATE/cni/networks"}},
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "firewall"}
  ]
}
EOF
log "starting containerd"
mkdir -p "$RUN/containerd"
start containerd containerd --config "$K8S_STATE/etc/containerd.toml"
ctr() { command ctr --address "$CONTAINERD_SOCK" "$@"; }
wait_for containerd 30 ctr version || fail "containerd did not start"
# Locally built images only; nothing is ever pulled.
for f in pause.tar coredns.tar; do
  ctr -n k8s.io images import "$K8S_IMAGES/$f" >/dev/null
done

# --- kube-apiserver on the node address only.
wait_for etcd 30 curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health" || fail "etcd did not start"
log "starting kube-apiserver"
start kube-apiserver "$K8S_BIN/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --bind-address="$NODE_IP" --advertise-address="$NODE_IP" --secure-port="$APISERVER_PORT" \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --client-ca-file="$PKI/ca.crt" --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types=InternalIP \
  --service-account-issuer="https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --allow-privileged=true --profiling=false --event-ttl=1h
wait_for kube-apiserver 90 kubectl get --raw /readyz || fail "kube-apiserver did not become ready"
log "API ready ($((SECONDS - t_start))s)"

log "starting kube-controller-manager and kube-scheduler"
start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
  --kubeconfig="$K8S_STATE/etc/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$K8S_STATE/etc/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$K8S_STATE/etc/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --service-cluster-ip-range="$SERVICE_CIDR" --allocate-node-cidrs=false --profiling=false
start kube-scheduler "$K8S_BIN/kube-scheduler" \
  --kubeconfig="$K8S_STATE/etc/scheduler.kubeconfig" \
  --authentication-kubeconfig="$K8S_STATE/etc/scheduler.kubeconfig" \
  --authorization-kubeconfig="$K8S_STATE/etc/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false --profiling=false

# --- kubelet. failCgroupV1: false (this machine is cgroup v1); cgroupfs as containerd's runc.
# Its root dir and pod logs are under $K8S_STATE; eviction thresholds low so a busy disk
# doesn't evict test pods; image GC off in practice (imported images can't be re-pulled).
cat >"$K8S_STATE/etc/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization:
  mode: Webhook
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
clusterDNS: [$DNS_SVC_IP]
clusterDomain: $CLUSTER_DOMAIN
resolvConf: /etc/resolv.conf
podLogsDir: $K8S_STATE/pod-logs
rotateCertificates: false
serverTLSBootstrap: false
evictionHard:
  memory.available: 100Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
maxPods: 110
EOF
log "starting kubelet"
start kubelet "$K8S_BIN/kubelet" --config="$K8S_STATE/etc/kubelet.yaml" \
  --kubeconfig="$K8S_STATE/etc/kubelet.kubeconfig" --root-dir="$K8S_STATE/kubelet" \
  --hostname-override="$NODE_NAME" --node-ip="$NODE_IP"

# --- kube-proxy, iptables mode; NodePorts only on the node address; no conntrack sysctls.
cat >"$K8S_STATE/etc/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: $K8S_STATE/etc/kube-proxy.kubeconfig
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["$NODE_IP/32"]
conntrack:
  maxPerCore: 0
iptables:
  localhostNodePorts: false
EOF
# A Service IP that kube-proxy did not translate (no endpoint yet, e.g. while a pod is being
# replaced) must not leave the node: the host's default route would send it to the outside
# network, where this machine's transparent proxy answered HTTP 404, and a keep-alive client
# then kept talking to that proxy for minutes. Pods' packets: dropped in mangle FORWARD, which
# runs after DNAT and before filter FORWARD, where the CNI firewall plugin accepts everything
# from a pod IP first. The host's own: rejected in filter OUTPUT, which runs after DNAT.
# "KUBE-" in the comments makes cluster-down.sh remove both rules with the rest.
iptables -w -t mangle -I FORWARD 1 -d "$SERVICE_CIDR" -m comment --comment "KUBE-otel-demo: untranslated Service IPs stay on the node" -j DROP
iptables -w -I OUTPUT 1 -d "$SERVICE_CIDR" -m comment --comment "KUBE-otel-demo: untranslated Service IPs stay on the node" -j REJECT
log "starting kube-proxy"
start kube-proxy "$K8S_BIN/kube-proxy" --config="$K8S_STATE/etc/kube-proxy.yaml"

node_ready() { [ "$(kubectl get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]; }
wait_for "node $NODE_NAME Ready" 90 node_ready || fail "node did not become Ready"
log "node Ready ($((SECONDS - t_start))s)"
# Pods can't be created in "default" before its ServiceAccount exists (a race right after start).
wait_for "ServiceAccount default/default" 60 kubectl -n default get serviceaccount default || fail "no default ServiceAccount"

# --- CoreDNS (no forward upstream: all traffic stays local) and the default StorageClass.
# No `cache` plugin and a 5 s TTL: tests delete and re-create Services within seconds, and a
# 30 s cache served the old ClusterIP (or a cached NXDOMAIN) to the next test's pods.
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: ServiceAccount
metadata: {name: coredns, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:coredns"}
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:coredns"}
subjects: [{kind: ServiceAccount, name: coredns, namespace: kube-system}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: coredns, namespace: kube-system}
data:
  Corefile: |
    .:53 {
        errors
        health {
            lameduck 5s
        }
        ready
        kubernetes $CLUSTER_DOMAIN in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
            ttl 5
        }
        loop
        reload
        loadbalance
    }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels: {k8s-app: kube-dns}
spec:
  replicas: 1
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      serviceAccountName: coredns
      priorityClassName: system-cluster-critical
      dnsPolicy: Default
      containers:
      - name: coredns
        image: $COREDNS_IMAGE
        imagePullPolicy: Never
        args: [-conf, /etc/coredns/Corefile]
        ports:
        - {name: dns, containerPort: 53, protocol: UDP}
        - {name: dns-tcp, containerPort: 53, protocol: TCP}
        - {name: metrics, containerPort: 9153, protocol: TCP}
        resources:
          requests: {cpu: 50m, memory: 50Mi}
          limits: {memory: 170Mi}
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {add: [NET_BIND_SERVICE], drop: [ALL]}
          readOnlyRootFilesystem: true
        volumeMounts: [{name: config, mountPath: /etc/coredns, readOnly: true}]
        readinessProbe:
          httpGet: {path: /ready, port: 8181}
          periodSeconds: 2
        livenessProbe:
          httpGet: {path: /health, port: 8080}
          initialDelaySeconds: 30
      volumes:
      - name: config
        configMap: {name: coredns}
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: {k8s-app: kube-dns, kubernetes.io/name: CoreDNS}
spec:
  selector: {k8s-app: kube-dns}
  clusterIP: $DNS_SVC_IP
  ports:
  - {name: dns, port: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, protocol: TCP}
  - {name: metrics, port: 9153, protocol: TCP}
EOF

# Storage: no dynamic provisioner fits here (the built-in hostPath one makes root-owned 0750
# dirs that non-root pods can't write), so the default class "standard" is backed by a pool
# of pre-created hostPath PVs (world-writable dirs under $K8S_STATE/pv). A PVC with no
# storageClassName gets "standard" and binds at once (Immediate) to a free PV; capacity is
# nominal (hostPath isn't size-limited). Released PVs are not reused (Retain); the pool is
# $PV_POOL_SIZE per cluster start.
PV_POOL_SIZE=${PV_POOL_SIZE:-30}
{
  cat <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
reclaimPolicy: Retain
volumeBindingMode: Immediate
EOF
  for i in $(seq -w 1 "$PV_POOL_SIZE"); do
    mkdir -p "$K8S_STATE/pv/pv-$i"; chmod 0777 "$K8S_STATE/pv/pv-$i"
    cat <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: otel-demo-pv-$i
  labels: {otel-demo.local/pool: hostpath}
spec:
  storageClassName: standard
  capacity: {storage: 100Gi}
  accessModes: [ReadWriteOnce, ReadOnlyMany, ReadWriteMany]
  persistentVolumeReclaimPolicy: Retain
  volumeMode: Filesystem
  hostPath: {path: $K8S_STATE/pv/pv-$i, type: Directory}
EOF
  done
} | kubectl apply -f - >/dev/null

coredns_ready() { [ "$(kubectl -n kube-system get deploy coredns -o jsonpath='{.status.readyReplicas}')" = 1 ]; }
wait_for "CoreDNS Ready" 120 coredns_ready || { kubectl -n kube-system describe pods -l k8s-app=kube-dns | tail -n 20; fail "CoreDNS did not become Ready"; }
log "CoreDNS Ready; cluster up in $((SECONDS - t_start))s"
echo "KUBECONFIG=$KUBECONFIG_PATH"
echo "kubectl: $K8S_BIN/kubectl   helm: $HELM"
