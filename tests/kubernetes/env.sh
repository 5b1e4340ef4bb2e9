# Shared settings of the tests/kubernetes scripts (sourced, not run).
# Paths and addresses are in one place so that build, up and down agree; the versions come
# from the repository's .env, with the "v" of their Go module tags.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$REPO_ROOT/.env"
K8S_VERSION=v$KUBERNETES_VERSION
COREDNS_TAG=v$COREDNS_VERSION
CRICTL_TAG=v$CRICTL_VERSION
# Locally built images (pinned tags, never pulled).
PAUSE_IMAGE=otel-demo.local/pause:3.10-k8s$KUBERNETES_VERSION
COREDNS_IMAGE=otel-demo.local/coredns:$COREDNS_VERSION

K8S_TOOLS=$REPO_ROOT/.tools/kubernetes
K8S_BIN=$K8S_TOOLS/bin
K8S_IMAGES=$K8S_TOOLS/images
HELM=$REPO_ROOT/.tools/helm/helm

# Everything the running cluster writes lives under K8S_STATE, so teardown is total.
K8S_STATE=${K8S_STATE:-/var/lib/otel-demo-k8s}
KUBECONFIG_PATH=$K8S_STATE/admin.kubeconfig
CONTAINERD_SOCK=$K8S_STATE/run/containerd/containerd.sock

# The node's address: a /32 on lo (endpoints may not be loopback; no dummy links here).
# Not 10.255.255.x: the machine's DNS server is 10.255.255.53, that range is in use upstream.
NODE_IP=10.213.0.1
NODE_NAME=otel-demo-node
POD_CIDR=10.244.0.0/24
POD_BRIDGE=otkbr0
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SVC_IP=10.96.0.1
DNS_SVC_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local
# Ports, bound on NODE_IP / 127.0.0.1 only; none of them is used by the other tests.
APISERVER_PORT=6443
ETCD_CLIENT_PORT=23791
ETCD_PEER_PORT=23801
KUBELET_PORT=10250
