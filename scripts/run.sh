#!/usr/bin/env bash
# Set up and run the console on the embedded default: SQLite, tasks run in-process.
# Usage: scripts/run.sh [port]     (default 8000)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PORT="${1:-8000}"

# LDAP is an optional extra (python-ldap builds from source); the console runs without it.
venv_ensure ""

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
log "Onramp console: http://localhost:$PORT/  (Ctrl-C stops it)"
exec "$PY" manage.py runserver "127.0.0.1:$PORT"
