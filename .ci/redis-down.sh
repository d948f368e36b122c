#!/usr/bin/env bash
# Stops the redis-server of .ci/redis-up.sh and removes its data; does nothing when none runs.
set -uo pipefail
DIR="${REDIS_DIR:-/tmp/flowmesh-ci-redis}"
if [ -s "$DIR/redis.pid" ]; then
  pid="$(cat "$DIR/redis.pid")"
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
fi
rm -rf "$DIR"
exit 0
