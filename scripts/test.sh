#!/usr/bin/env bash
# The test suite, whole or in parts, from a fresh clone. Each part sets up only what it needs
# (nothing already in place is redone), then runs its test files one at a time:
#
#   npm run test:unit     bash scripts/test.sh unit     Node 24, npm ci, tsc; the unit tests (seconds)
#   npm run test:native   bash scripts/test.sh native   + scripts/setup.sh (collector, Envoy, Helm,
#                                                       Prometheus, nginx, Chromium); the
#                                                       integration tests that need no Docker
#                                                       and no Kubernetes
#   npm run test:stack    bash scripts/test.sh stack    + Docker Engine and Compose, the
#                                                       Kubernetes build; the compose stacks
#                                                       and the chart on a real cluster
#   npm test              bash scripts/test.sh          npm run lint (ESLint, Prettier), then all
#                                                       of the above. CI runs exactly this.
#
# Every part runs with the pinned Node 24 (.tools/node) when the machine's Node is older,
# whatever Node started npm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

part=${1:-all}
case $part in
  unit | native | stack | all) ;;
  *) echo "usage: bash scripts/test.sh [unit|native|stack|all] (got \"$part\")" >&2; exit 2 ;;
esac

# The integration tests that need Docker Engine or the Kubernetes cluster.
STACK_TESTS=(compose-stack kubernetes)

if [ "$part" = unit ]; then
  source scripts/setup-node.sh
else
  source scripts/setup.sh
fi
if [ "$part" = stack ] || [ "$part" = all ]; then
  printf '\n== Docker Engine and Compose (for the compose stack test)\n'
  bash scripts/setup-docker.sh
  printf '\n== Kubernetes from Go modules and Debian packages (for the chart test on a real cluster)\n'
  # About 15 minutes the first time on 2 cores, seconds once Go's caches hold it.
  bash tests/kubernetes/build-cluster.sh
fi

if [ "$part" = all ]; then
  printf '\n== lint: ESLint and Prettier (npm run lint; npm run format fixes the formatting)\n'
  npm run -s lint
fi

is_stack_test() {
  local name; name=$(basename "$1" .test.js)
  for stack in "${STACK_TESTS[@]}"; do [ "$name" = "$stack" ] && return 0; done
  return 1
}
files=()
if [ "$part" = unit ] || [ "$part" = all ]; then files+=(tests/dist/unit/*.test.js); fi
for file in tests/dist/integration/*.test.js; do
  if is_stack_test "$file"; then
    if [ "$part" = stack ] || [ "$part" = all ]; then files+=("$file"); fi
  elif [ "$part" = native ] || [ "$part" = all ]; then
    files+=("$file")
  fi
done

printf '\n== tests (%s): %d files\n' "$part" "${#files[@]}"
# One test file at a time: each starts its own chain of processes, and 2 cores are enough
# for one chain under load, not several. Node's closing summary (pass/fail counts) is the
# last thing printed.
node --test --test-concurrency=1 --test-timeout=300000 "${files[@]}"
