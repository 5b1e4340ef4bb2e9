#!/bin/sh
# The part of the official nginx image's entrypoint this project uses: every
# /etc/nginx/templates/*.template becomes /etc/nginx/conf.d/<name> with ${VAR} replaced for
# the variables defined in the environment only (nginx's own $host, $uri ... stay as they are).
set -e
defined=$(env | cut -d= -f1 | sed 's/^/$/' | tr '\n' ' ')
for template in /etc/nginx/templates/*.template; do
  [ -e "$template" ] || continue
  output="/etc/nginx/conf.d/$(basename "$template" .template)"
  envsubst "$defined" < "$template" > "$output"
  echo "rendered $template into $output"
done
exec "$@"
