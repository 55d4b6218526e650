#!/usr/bin/env bash
# Run the whole test suite against real services: PostgreSQL, Redis, a Celery worker, an SMTP
# server, OpenLDAP slapd, a local Twilio stand-in and headless Chromium; then a smoke run on the
# embedded SQLite default. Uses DATABASE_URL / REDIS_URL when given, the services on their
# standard ports when they answer, and starts throwaway ones otherwise.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/enrollment -x). The suite runs in two processes
# (pytest-xdist; each has a test database, a redis-server and a private folder of its own, see
# tests/conftest.py); TEST_PROCESSES=1 runs it in one. Without arguments, lint (ruff, strict mypy) and the smoke
# run on SQLite run beside it.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
VAR="$ROOT/var/test"; mkdir -p "$VAR"
STARTED=()
cleanup() {
  for item in "${STARTED[@]:-}"; do
    case "$item" in
      pg:*) runuser -u postgres -- "${item#pg:}/pg_ctl" -D "$VAR/pg/data" -m fast -w stop >/dev/null 2>&1 || true ;;
      redis:*) kill "${item#redis:}" 2>/dev/null || true ;;
      job:*) kill "${item#job:}" 2>/dev/null || true ;;
    esac
  done
}
trap cleanup EXIT

apt_ensure libldap2-dev libsasl2-dev slapd ldap-utils chromium qrencode libcairo2 postgresql redis-server gettext
venv_ensure "test,ldap,dev"
messages_compile

# PostgreSQL
if [ -z "${DATABASE_URL:-}" ]; then
  if pg_isready -q -h 127.0.0.1 -p 5432 && psql -h 127.0.0.1 -U postgres -tAc 'select 1' >/dev/null 2>&1; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/onramp"
  else
    BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    PGPORT_T="$(free_port)"
    log "Starting a throwaway PostgreSQL on port $PGPORT_T"
    rm -rf "$VAR/pg"; mkdir -p "$VAR/pg"; chown postgres "$VAR/pg"
    runuser -u postgres -- "$BIN/initdb" -D "$VAR/pg/data" -A trust -U postgres --no-sync -E UTF8 >/dev/null
    runuser -u postgres -- "$BIN/pg_ctl" -D "$VAR/pg/data" -l "$VAR/pg/pg.log" -w \
      -o "-p $PGPORT_T -k $VAR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
    STARTED+=("pg:$BIN")
    export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT_T/onramp"
  fi
fi

# Redis
if [ -z "${REDIS_URL:-}" ]; then
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    export REDIS_URL="redis://127.0.0.1:6379/14"
  else
    REDIS_PORT_T="$(free_port)"
    log "Starting a throwaway Redis on port $REDIS_PORT_T"
    redis-server --port "$REDIS_PORT_T" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
      --pidfile "$VAR/redis.pid" --logfile "$VAR/redis.log" --dir "$VAR"
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT_T" ping >/dev/null 2>&1 && break; sleep 0.1; done
    STARTED+=("redis:$(cat "$VAR/redis.pid")")
    export REDIS_URL="redis://127.0.0.1:$REDIS_PORT_T/0"
  fi
fi

# The suite starts a dozen Python processes (its workers, the smoke run, Celery workers, manage.py): let
# them keep compiled modules in __pycache__ (ignored by git), so the project is compiled once, not in each.
unset PYTHONDONTWRITEBYTECODE

export ONRAMP_TEST_PRIVATE_DIR="$VAR/private"
export DJANGO_ALLOW_ASYNC_UNSAFE=true
LINT_PID=""
SMOKE_PID=""
if [ $# -eq 0 ]; then
  # Lint and types, and the smoke run below, run beside the suite at a lower priority (nice): they take the
  # processor time the suite leaves while it waits (for a browser, a worker, a poll), not the time it needs
  # to start. Their output follows the suite's and either failing fails the script. mypy's cache lives in
  # the venv, so a fresh clone with the venv checks only what changed (mypy compares each file's hash with
  # the one cached, and drops the cache when its options or plugins change).
  log "Lint (ruff) and types (mypy strict) beside the suite (output after the suite)"
  { nice -n 10 "$VENV/bin/ruff" check . && nice -n 10 "$VENV/bin/mypy" --cache-dir "$VENV/.mypy_cache" .; } \
    >"$VAR/lint.log" 2>&1 &
  LINT_PID=$!
  STARTED+=("job:$LINT_PID")
  # The smoke run on the embedded SQLite default runs beside the PostgreSQL suite (its database is in
  # memory and its private folder its own; the suite's processes have redis-servers of their own); its
  # output follows the suite's.
  log "Smoke run on the embedded SQLite default (output after the suite)"
  DATABASE_URL="sqlite:///$VAR/smoke.sqlite3" ONRAMP_TEST_PRIVATE_DIR="$VAR/private-smoke" \
    nice -n 10 "$PY" -m pytest -p no:cacheprovider -m smoke -q >"$VAR/smoke.log" 2>&1 &
  SMOKE_PID=$!
  STARTED+=("job:$SMOKE_PID")
fi

log "Test suite on PostgreSQL ($DATABASE_URL) with Redis ($REDIS_URL)"
PROCESSES="${TEST_PROCESSES:-2}"
if [ "$PROCESSES" -gt 1 ]; then XDIST=(--numprocesses "$PROCESSES" --dist load); else XDIST=(--numprocesses 0); fi
suite=0
"$PY" -m pytest -p no:cacheprovider "${XDIST[@]}" "$@" || suite=$?

if [ -n "$SMOKE_PID" ]; then
  smoke=0
  wait "$SMOKE_PID" || smoke=$?
  log "Smoke run on the embedded SQLite default"
  cat "$VAR/smoke.log"
  lint=0
  wait "$LINT_PID" || lint=$?
  log "Lint (ruff) and types (mypy strict)"
  cat "$VAR/lint.log"
  [ "$lint" -eq 0 ] || { echo "Lint or types failed (exit status $lint)." >&2; exit "$lint"; }
  [ "$smoke" -eq 0 ] || { echo "The smoke run failed (exit status $smoke)." >&2; exit "$smoke"; }
fi
exit "$suite"
