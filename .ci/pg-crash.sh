#!/usr/bin/env bash
# Stops the test PostgreSQL started by pg-up.sh at once (immediate mode: no checkpoint, every connection cut), the way
# a crash would; pg-up.sh starts it again on the same data. Used by the cluster failure tests.
set -euo pipefail
PGROOT="${PGROOT:-/tmp/ci-pg}"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGROOT/data" -m immediate -w stop >/dev/null
