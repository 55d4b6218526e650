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

# The virtualenv with the project installed; reinstalls when pyproject.toml changes.
venv_ensure() {
  local extras="${1:-}"
  local python="${PYTHON:-python3}"
  [ -x "$PY" ] || { log "Creating virtualenv in .venv"; "$python" -m venv "$VENV"; }
  local stamp="$VENV/.installed-$(sha1sum "$ROOT/pyproject.toml" | cut -c1-12)-$extras"
  # No extras asked for (scripts/run.sh): any install of this pyproject.toml has what is needed.
  if [ -z "$extras" ] && compgen -G "${stamp}*" >/dev/null; then return 0; fi
  if [ ! -f "$stamp" ]; then
    log "Installing Python packages ($extras)"
    "$PY" -m pip install -q --upgrade pip >/dev/null
    if [ -n "$extras" ]; then "$PY" -m pip install -q -e "$ROOT[$extras]"; else "$PY" -m pip install -q -e "$ROOT"; fi
    rm -f "$VENV"/.installed-*; touch "$stamp"
  fi
}

new_secret() { "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))'; }
new_fernet_key() { "$PY" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'; }

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
