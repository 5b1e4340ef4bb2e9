#!/usr/bin/env bash
# Stops the cluster cluster-up.sh started and removes everything it and the kubelet/CNI
# left on the machine: processes (by the pids cluster-up recorded, and containerd shims found
# by our containerd's unique socket path), pod sandboxes (through CRI, so CNI DEL runs),
# pod cgroups, mounts under $K8S_STATE, pod network namespaces, veths, the bridge, the /32 on
# lo, iptables/ip6tables KUBE-* and CNI-* chains and the rules that jump to them, CNI
# cache files, /var/log/containers links, and $K8S_STATE itself.
# Safe to run twice and when nothing is up. Docker and its containers are not touched.
# K8S_KEEP_LOGS=<dir>: copy the components' logs there before the state dir goes.
set -uo pipefail   # no -e: every cleanup step runs even when an earlier one finds nothing
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/env.sh"
[ "$(id -u)" -eq 0 ] || { echo "cluster-down.sh must run as root"; exit 1; }

log() { echo "[down $(date +%T)] $*"; }
t_start=$SECONDS
RUN=$K8S_STATE/run

# stop <name>: SIGTERM the pid cluster-up recorded, SIGKILL after 15 s.
stop() {
  local name=$1 pidf="$RUN/$1.pid" pid i
  [ -f "$pidf" ] || return 0
  pid=$(cat "$pidf")
  # Only if that pid is still the program we started (pids get reused).
  local cmd; cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || cmd=""
  if [[ "$cmd" == *"$name"* ]]; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 30; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$pidf"
}

containerd_up() { [ -S "$CONTAINERD_SOCK" ] && timeout 5 ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1; }

# 1. The kubelet first, so it restarts nothing; then remove every pod sandbox through CRI:
#    StopPodSandbox runs CNI DEL (veth, IP, hostport and firewall rules, netns).
stop kubelet
if containerd_up; then
  if [ -x "$K8S_BIN/crictl" ]; then
    log "removing pod sandboxes"
    timeout 120 "$K8S_BIN/crictl" --runtime-endpoint "unix://$CONTAINERD_SOCK" --timeout 60s rmp -af >/dev/null 2>&1 ||
      log "crictl rmp failed; falling back to killing tasks"
  fi
  # Anything left (e.g. crictl missing): kill and delete the tasks and containers.
  c="ctr --address $CONTAINERD_SOCK -n k8s.io"
  for id in $($c tasks ls -q 2>/dev/null); do $c tasks kill -s SIGKILL "$id" >/dev/null 2>&1; done
  sleep 1
  for id in $($c tasks ls -q 2>/dev/null); do $c tasks delete -f "$id" >/dev/null 2>&1; done
  for id in $($c containers ls -q 2>/dev/null); do $c containers delete "$id" >/dev/null 2>&1; done
fi

# 2. The rest: kube-proxy and the control plane together (each takes ~2 s to exit), then
#    containerd, then etcd last (the apiserver needs it until it exits).
for name in kube-proxy kube-scheduler kube-controller-manager kube-apiserver; do stop "$name" & done
wait
stop containerd
stop etcd

# 3. Shims of our containerd (they outlive it): found by our socket path in their arguments.
shim_pids=()
for p in /proc/[0-9]*; do
  cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
  case "$cmd" in *containerd-shim*"-address $CONTAINERD_SOCK"*) shim_pids+=("${p#/proc/}") ;; esac
done
if ((${#shim_pids[@]})); then
  # Their listening sockets (in /run/containerd/s) are left behind by SIGKILL: note them first.
  shim_socks=$(ss -xlpn 2>/dev/null | grep -E "pid=($(IFS='|'; echo "${shim_pids[*]}"))," | awk '{print $5}' | grep '^/run/containerd/s/' || true)
  log "killing ${#shim_pids[@]} leftover containerd shims"
  kill -KILL "${shim_pids[@]}" 2>/dev/null
  for s in $shim_socks; do rm -f "$s"; done
fi

# 4. Pod cgroups (cgroupfs driver: /kubepods in every hierarchy): kill what is left in them
#    (only our pods run there), then remove them deepest first.
for root in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
  [ -d "$root" ] || continue
  pids=$(find "$root" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)
  [ -z "$pids" ] || { log "killing pod processes: $(echo $pids)"; kill -KILL $pids 2>/dev/null; sleep 1; }
  find "$root" -depth -type d -exec rmdir {} \; 2>/dev/null
done
# The kubelet's own QoS/system cgroups under the same hierarchies are all inside kubepods.

# 5. Pod network namespaces CRI left: cni-* namespaces whose pod IP is in our pod CIDR.
prefix=${POD_CIDR%.*}.
for ns in /run/netns/cni-*; do
  [ -e "$ns" ] || continue
  n=${ns##*/}
  addrs=$(ip -n "$n" -4 addr 2>/dev/null) || addrs=unreachable
  if [[ "$addrs" == *"inet $prefix"* || "$addrs" == unreachable ]]; then
    umount "$ns" 2>/dev/null; rm -f "$ns"
  fi
done

# 6. Mounts under our state dir (container rootfs, shm, kubelet volumes), deepest first.
for attempt in 1 2 3; do
  mnts=$(awk -v d="$K8S_STATE" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r)
  [ -z "$mnts" ] && break
  for m in $mnts; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
done

# 7. Links: veths on our bridge, the bridge, the node's /32 on lo.
if ip link show "$POD_BRIDGE" >/dev/null 2>&1; then
  for v in $(ip -o link show master "$POD_BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link delete "$v" 2>/dev/null
  done
  ip link delete "$POD_BRIDGE" 2>/dev/null
  log "removed bridge $POD_BRIDGE"
fi
# (Deleted unconditionally: `ip addr | grep -q` can lose to SIGPIPE under pipefail.)
ip addr del "$NODE_IP/32" dev lo 2>/dev/null && log "removed $NODE_IP/32 from lo"

# 8. iptables and ip6tables: delete the rules in other chains that mention KUBE-*/CNI-*
#    (jumps, e.g. from FORWARD/POSTROUTING), then flush and delete those chains.
clean_chains() {
  local cmd=$1 save=$2 table rule chain
  for table in filter nat mangle raw security; do
    $save -t "$table" >/dev/null 2>&1 || continue
    # Rules in non-KUBE/CNI chains that reference one.
    $save -t "$table" 2>/dev/null | grep -E '^-A ' | grep -vE '^-A (KUBE-|CNI-)' | grep -E '(KUBE-|CNI-)' |
      while IFS= read -r rule; do eval "$cmd -w -t $table -D ${rule#-A }" 2>/dev/null; done
    for chain in $($save -t "$table" 2>/dev/null | sed -n -E 's/^:((KUBE-|CNI-)[^ ]*) .*/\1/p'); do
      $cmd -w -t "$table" -F "$chain" 2>/dev/null
    done
    for chain in $($save -t "$table" 2>/dev/null | sed -n -E 's/^:((KUBE-|CNI-)[^ ]*) .*/\1/p'); do
      $cmd -w -t "$table" -X "$chain" 2>/dev/null
    done
  done
}
clean_chains iptables iptables-save
command -v ip6tables >/dev/null && clean_chains ip6tables ip6tables-save
# Tables that did not exist before cluster-up (e.g. mangle, ip6 nat) and are now empty.
if [ -f "$K8S_STATE/tables-before" ] && command -v nft >/dev/null; then
  for fam in ip ip6; do
    if [ $fam = ip ]; then save=iptables-save; else save=ip6tables-save; fi
    for table in $($save 2>/dev/null | sed -n 's/^\*//p'); do
      grep -qx "$fam $table" "$K8S_STATE/tables-before" && continue
      [ -z "$($save -t "$table" 2>/dev/null | grep -E '^(-A |:[^ ]+ [-])')" ] && nft delete table "$fam" "$table" 2>/dev/null
    done
  done
fi
left=$({ iptables-save; ip6tables-save; } 2>/dev/null | grep -cE 'KUBE-|CNI-' || true)
[ "$left" = 0 ] || log "WARNING: $left iptables lines still mention KUBE-/CNI-"

# 9. Files outside the state dir: CNI result cache of our network, the kubelet's
#    /var/log/containers links into our pod log dir.
rm -f /var/lib/cni/results/otel-demo-k8s-* 2>/dev/null
# After a crash (no CNI DEL) the loopback plugin's results of our sandboxes remain too.
for d in "$K8S_STATE"/containerd/io.containerd.grpc.v1.cri/sandboxes/* "$RUN"/containerd/state/io.containerd.grpc.v1.cri/sandboxes/*; do
  [ -d "$d" ] && rm -f /var/lib/cni/results/*-"${d##*/}"-* 2>/dev/null
done
rmdir /var/lib/cni/results /var/lib/cni 2>/dev/null
for l in /var/log/containers/*.log; do
  [ -L "$l" ] || continue
  case "$(readlink "$l")" in "$K8S_STATE"/*) rm -f "$l" ;; esac
done
rmdir /var/log/containers 2>/dev/null
# The device-plugin socket dir is fixed in the kubelet (not under --root-dir).
rm -f /var/lib/kubelet/device-plugins/kubelet.sock /var/lib/kubelet/device-plugins/kubelet_internal_checkpoint
rmdir /var/lib/kubelet/device-plugins /var/lib/kubelet 2>/dev/null

# 10. The state dir itself (nothing is mounted under it any more). K8S_KEEP_LOGS=<dir> keeps
#     the components' logs (e.g. for a failed test's artifacts).
if [ -n "${K8S_KEEP_LOGS:-}" ] && [ -d "$K8S_STATE/logs" ]; then
  mkdir -p "$K8S_KEEP_LOGS" && cp -r "$K8S_STATE/logs/." "$K8S_KEEP_LOGS/" && log "logs kept in $K8S_KEEP_LOGS"
fi
if [ -d "$K8S_STATE" ]; then
  if awk -v d="$K8S_STATE" 'index($5, d) == 1 {f=1} END {exit !f}' /proc/self/mountinfo; then
    log "WARNING: mounts remain under $K8S_STATE; not removing it"
  else
    rm -rf "$K8S_STATE"
  fi
fi
log "cluster down in $((SECONDS - t_start))s"
