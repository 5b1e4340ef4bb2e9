#!/usr/bin/env bash
# The whole test suite, from a fresh clone: sets up what it needs, then runs the unit tests
# and the integration tests (real services, real SQLite files, the real collector, Envoy,
# Prometheus, nginx and Chromium, all on loopback; the compose stacks under a real Docker
# Engine; the Helm chart on a real single-node Kubernetes). CI runs exactly this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

printf '\n== Docker Engine and Compose (for the compose stack test)\n'
bash scripts/setup-docker.sh

printf '\n== Kubernetes v1.37 from Go modules and Debian packages (for the chart test on a real cluster)\n'
# About 15 minutes the first time on 2 cores, seconds once Go's caches hold it.
bash tests/kubernetes/build-cluster.sh

printf '\n== tests\n'
# One test file at a time: each starts its own chain of processes, and 2 cores are enough
# for one chain under load, not several.
node --test --test-concurrency=1 --test-timeout=300000 'tests/dist/unit/*.test.js' 'tests/dist/integration/*.test.js'
