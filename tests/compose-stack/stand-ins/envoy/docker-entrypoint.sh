#!/bin/sh
# What the official image's entrypoint does: arguments that start with "-" are Envoy's, and
# Envoy runs as the unprivileged user envoy unless ENVOY_UID=0.
set -e
case "$1" in -*) set -- envoy "$@" ;; esac
if [ "${ENVOY_UID:-101}" != 0 ] && [ "$(id -u)" = 0 ]; then
  exec setpriv --reuid envoy --regid envoy --init-groups "$@"
fi
exec "$@"
