#!/usr/bin/env bash
# Refresh the dependency locks (exact versions and hashes) from pyproject.toml with pip-tools' pip-compile:
#   requirements/test.txt  every extra: test, ldap, dev   (scripts/test.sh)
#   requirements/ldap.txt  the dependencies and ldap      (the Dockerfile)
#   requirements/base.txt  the dependencies only          (scripts/run.sh)
# Run it after any change to the dependencies in pyproject.toml and commit the locks with it
# (tests/test_dependency_lock.py fails until then). Pins that still satisfy pyproject.toml are kept;
# `scripts/lock.sh --upgrade` moves every pin to the newest allowed release, `--upgrade-package NAME`
# just that one. pip-tools runs in a virtualenv of its own, so .venv is left as it is.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
python="${PYTHON:-python3}"
"$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
  || { echo "The locks are for Python 3.11 (requires-python); set PYTHON to a 3.11 interpreter." >&2; exit 1; }
TOOLS="${PIPTOOLS_VENV:-${TMPDIR:-/tmp}/onramp-piptools}"
if [ ! -x "$TOOLS/bin/pip-compile" ]; then
  log "Installing pip-tools into $TOOLS"
  "$python" -m venv "$TOOLS"
  "$TOOLS/bin/pip" install -q "pip-tools>=7.4,<8"
fi
mkdir -p requirements
# The header of each lock names this script; no index URL or find-links path is written into them.
export CUSTOM_COMPILE_COMMAND="scripts/lock.sh"
compile() {
  "$TOOLS/bin/pip-compile" -q --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links "$@" pyproject.toml
}
log "Locking requirements/test.txt"
compile --extra test --extra ldap --extra dev -o requirements/test.txt "$@"
# The smaller locks are constrained by the full one, so a package has the same version in all three.
log "Locking requirements/ldap.txt"
compile --extra ldap -c requirements/test.txt -o requirements/ldap.txt "$@"
log "Locking requirements/base.txt"
compile -c requirements/test.txt -o requirements/base.txt "$@"
