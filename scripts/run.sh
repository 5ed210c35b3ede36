#!/usr/bin/env bash
# `make run`: the demo. Migrates, seeds the demo county into an empty database, finds a
# Redis (CC_REDIS_URL, else an embedded one that stops with this script), then runs the
# Procfile's web, ingest and simulate together until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
# the demo county is Chinese: its pages, sign-in and wall come up in zh (?lang=en switches);
# the product's own default stays CC_LANG=en (CONTRACT section 4)
export CC_LANG="${CC_LANG:-zh}"

CC_REDIS_URL=$(python -m worker.embedded_redis up)
export CC_REDIS_URL
trap 'python -m worker.embedded_redis down' EXIT
echo "Redis: $CC_REDIS_URL"

python -m data_access.schema
python -m worker.seed  # seeds the demo county only into a database without history
python -m dashboard.auth.cli first-admin  # prints a password only on the first run

echo "Command centre: http://127.0.0.1:${PORT:-8050}/  (Ctrl-C stops it)"
python -m worker.launch web ingest simulate &
launcher=$!
trap 'kill -TERM "$launcher" 2>/dev/null' INT TERM HUP
wait "$launcher" || true  # returns early when a signal arrives; the launcher then stops
wait "$launcher"          # its processes, and this second wait gives its exit code
