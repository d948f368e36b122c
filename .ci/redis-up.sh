#!/usr/bin/env bash
# A throw-away redis-server on 127.0.0.1:$REDIS_PORT with its data in $REDIS_DIR (idempotent, non-interactive, as root).
# AOF with appendfsync always: a write is on disk before Redis acknowledges it, as the cluster's event log needs.
# Prints the address (host:port) on stdout. Installs Debian's redis-server when missing: the Redis tests also start
# servers of their own from it.
set -euo pipefail
PORT="${REDIS_PORT:-56380}"
DIR="${REDIS_DIR:-/tmp/flowmesh-ci-redis}"
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 redis-server >/dev/null
fi
mkdir -p "$DIR"
answers() { redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG; }
if ! answers; then
  # The Debian package starts no server here (no systemd); this one is ours, daemonized with a pid file for redis-down.
  redis-server --port "$PORT" --bind 127.0.0.1 --daemonize yes --pidfile "$DIR/redis.pid" \
               --logfile "$DIR/redis.log" --dir "$DIR" --save '' --appendonly yes --appendfsync always
  for _ in $(seq 1 100); do answers && break; sleep 0.1; done
  if ! answers; then
    echo "redis-server did not answer on 127.0.0.1:$PORT; its log:" >&2
    tail -n 30 "$DIR/redis.log" >&2 || true
    exit 1
  fi
fi
echo "127.0.0.1:$PORT"
