#!/usr/bin/env bash
# `make run`: the demo. Migrates, seeds the demo county into an empty database, finds a
# Redis (CC_REDIS_URL, else an embedded one that stops with this script), refuses to share
# its stream with another running copy, then runs the Procfile's web, ingest and simulate
# together until Ctrl-C. The demo listens on 127.0.0.1 unless CC_HOST says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
# the demo county is Chinese: its pages, sign-in and wall come up in zh (?lang=en switches);
# the product's own default stays CC_LANG=en (CONTRACT section 4)
export CC_LANG="${CC_LANG:-zh}"
# the demo escalates overdue cases by itself (督办 levels 1, 2, 3 at 0, 24 and 72 hours
# overdue); CC_ESCALATION_LADDER= (empty) turns the ladder off, as it is by default
export CC_ESCALATION_LADDER="${CC_ESCALATION_LADDER-1:0h,2:24h,3:72h}"

CC_REDIS_URL=$(python -m demo.embedded_redis up)
export CC_REDIS_URL
trap 'python -m demo.embedded_redis down' EXIT
echo "Redis: $CC_REDIS_URL (stream prefix ${CC_STREAM_PREFIX:-cc:})"
python -m demo.stream_guard
export CC_HOST="${CC_HOST:-127.0.0.1}"

python -m data_access.schema
python -m demo.seed  # seeds the demo county only into a database without history
python -m dashboard.auth.cli first-admin  # prints a password only on the first run

python -m demo.launch web ingest simulate &
launcher=$!
trap 'kill -TERM "$launcher" 2>/dev/null' INT TERM HUP
url="http://$CC_HOST:${PORT:-8050}/"
if python -m scripts.probe --wait 120 "${url}health"; then
  echo "Command centre: $url  (listening on $CC_HOST:${PORT:-8050}; Ctrl-C stops it)"
  python -m dashboard.calendar_notice  # from 1 December, when next year's calendar is missing
else
  echo "The web process did not answer at $url; see its lines above." >&2
fi
wait "$launcher" || true  # returns early when a signal arrives; the launcher then stops
wait "$launcher"          # its processes, and this second wait gives its exit code
