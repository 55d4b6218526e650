#!/usr/bin/env bash
# Set up and run the console on the embedded default: SQLite, and a Celery worker (with beat) on a
# broker kept in files under var/celery/, so no Redis is needed and nothing runs inside a request.
# Usage: scripts/run.sh [port]     (default 8000). Ctrl-C stops the server and the worker.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PORT="${1:-8000}"

# LDAP is an optional extra (python-ldap builds from source); the console runs without it: the lock
# installed is requirements/base.txt (exact versions; scripts/lock.sh refreshes it).
venv_ensure ""
# German, French and Italian for the end user's pages and messages: compiled from locale/*.po (gettext's msgfmt).
command -v msgfmt >/dev/null 2>&1 || apt_ensure gettext || log "Could not install gettext: end-user pages stay English"
messages_compile

if [ ! -f .env ]; then
  log "Writing .env with new secrets (development settings)"
  cat > .env <<ENV
DEBUG=true
SECRET_KEY=$(new_secret)
OTP_ENCRYPTION_KEY=$(new_fernet_key)
DATABASE_URL=sqlite:///$ROOT/db.sqlite3
DEFAULT_ACTIVATION_URL=http://localhost:$PORT
ALLOWED_HOSTS=localhost,127.0.0.1,[::1]
# Emails are written to files here instead of being sent (read them to see what users get).
EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
EMAIL_FILE_PATH=$ROOT/var/mail
ENV
fi

"$PY" manage.py migrate --no-input -v 0
"$PY" manage.py seed_demo

# The worker (with beat) and the server each run in a process group of their own (job control on
# while they start); this script waits for them and, however it ends (Ctrl-C, kill, a crash of
# either), stops both: TERM first (the worker's warm shutdown lets the running task finish), KILL
# after 10 seconds. A bulk job cut short resumes on the next start (the bulk sweep), and messages
# go back to the outbox sweep, so stopping loses nothing.
mkdir -p var/log
WORKER_LOG="var/log/worker.log"
STARTED=()
stop_all() {
  trap - EXIT INT TERM HUP
  [ ${#STARTED[@]} -gt 0 ] || return 0
  log "Stopping the server and the worker"
  for pgid in "${STARTED[@]}"; do kill -TERM -- "-$pgid" 2>/dev/null || true; done
  # One deadline for both, by the clock: counting sleeps would stretch it on a busy machine.
  local deadline=$((SECONDS + 10)) pgid alive
  while [ "$SECONDS" -lt "$deadline" ]; do
    alive=0
    for pgid in "${STARTED[@]}"; do kill -0 -- "-$pgid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 1 ] || break
    sleep 0.1
  done
  for pgid in "${STARTED[@]}"; do kill -KILL -- "-$pgid" 2>/dev/null || true; done
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

set -m
"$PY" -m celery -A config worker -B --pool solo --concurrency 1 --without-gossip --without-mingle \
  --without-heartbeat --loglevel INFO >>"$WORKER_LOG" 2>&1 &
WORKER_PID=$!
STARTED+=("$WORKER_PID")
"$PY" manage.py runserver "127.0.0.1:$PORT" &
SERVER_PID=$!
STARTED+=("$SERVER_PID")
set +m

log "Celery worker and beat (pid $WORKER_PID), log: $WORKER_LOG; Console server (pid $SERVER_PID)"
log "Onramp console: http://localhost:$PORT/  (Ctrl-C, or kill $$, stops the server and the worker)"
status=0
wait -n "$WORKER_PID" "$SERVER_PID" || status=$?
log "The server or the worker stopped (exit status $status)"
exit "$status"
