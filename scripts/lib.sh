# Shared by scripts/run.sh and scripts/test.sh. Sourced, not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Debian packages the given commands/headers need; installs only what is missing.
apt_ensure() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "Installing Debian packages: ${missing[*]}"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# The lock (exact versions and hashes, written by scripts/lock.sh) that installs the given extras.
lock_for() {
  case "$1" in
    "") echo "$ROOT/requirements/base.txt" ;;
    ldap) echo "$ROOT/requirements/ldap.txt" ;;
    test,ldap,dev) echo "$ROOT/requirements/test.txt" ;;
    *) echo "No lock installs the extras '$1' (see scripts/lock.sh)" >&2; return 1 ;;
  esac
}

# The virtualenv with the locked packages and the project installed; reinstalls when pyproject.toml or a
# lock changes. Nothing is resolved here: pip installs the lock's pins (checking their hashes), then the
# project itself without its dependencies.
venv_ensure() {
  local extras="${1:-}"
  local python="${PYTHON:-python3}"
  local lock; lock="$(lock_for "$extras")"
  [ -x "$PY" ] || { log "Creating virtualenv in .venv"; "$python" -m venv "$VENV"; }
  local stamp="$VENV/.installed-$(cat "$ROOT/pyproject.toml" "$ROOT"/requirements/*.txt | sha1sum | cut -c1-12)-$extras"
  # No extras asked for (scripts/run.sh): any install of these files has what is needed.
  if [ -z "$extras" ] && compgen -G "${stamp}*" >/dev/null; then return 0; fi
  if [ ! -f "$stamp" ]; then
    log "Installing Python packages (${extras:-no extras}) from ${lock#"$ROOT"/}"
    "$PY" -m pip install -q --upgrade pip >/dev/null
    "$PY" -m pip install -q --require-hashes -r "$lock"
    "$PY" -m pip install -q --no-deps -e "$ROOT"
    rm -f "$VENV"/.installed-*; touch "$stamp"
  fi
}

# The translations' binary catalogues (locale/<lang>/LC_MESSAGES/django.mo) from their .po sources, which are all the
# repository holds (.mo files are build output: .gitignore, .dockerignore). msgfmt is Debian's gettext; --check refuses
# a catalogue whose placeholders do not match. Only a .po newer than its .mo is compiled again.
messages_compile() {
  local po
  if ! command -v msgfmt >/dev/null 2>&1; then
    log "msgfmt (Debian package gettext) is missing: the end-user pages and messages stay English"
    return 0
  fi
  for po in "$ROOT"/locale/*/LC_MESSAGES/*.po; do
    [ "${po%.po}.mo" -nt "$po" ] || msgfmt --check -o "${po%.po}.mo" "$po"
  done
}

new_secret() { "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))'; }
new_fernet_key() { "$PY" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'; }

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
