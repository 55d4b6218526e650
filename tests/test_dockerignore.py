"""The Docker build context (``COPY . .``) leaves out what a checkout collects when it runs:
scripts/run.sh's .env (SECRET_KEY, OTP_ENCRYPTION_KEY), the SQLite database, var/mail (emails
with OTPs), var/private (exports), and local tooling. Docker is not needed: .dockerignore is read
here with the rules Docker applies (moby/patternmatcher)."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


class DockerIgnore:
    """Docker's matching: each line is a Go ``filepath.Match`` pattern over the path from the
    context root (cleaned, leading ``/`` dropped), ``**`` spans any number of directories, a
    pattern that matches a parent directory matches everything in it, ``!`` re-includes, and the
    last pattern that matches decides. Unlike .gitignore, ``name`` only matches at the root."""

    def __init__(self, text: str) -> None:
        self.patterns: list[tuple[bool, re.Pattern[str]]] = []
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            exclusion = line.startswith("!")
            pattern = line[1:].strip() if exclusion else line
            pattern = re.sub(r"/+", "/", pattern).strip("/")
            self.patterns.append((exclusion, re.compile(self._regex(pattern))))

    @staticmethod
    def _regex(pattern: str) -> str:
        regex, i = "^", 0
        while i < len(pattern):
            if pattern.startswith("**", i):
                i += 2
                if pattern.startswith("/", i):
                    i += 1
                regex += ".*" if i == len(pattern) else "(.*/)?"
                continue
            char = pattern[i]
            if char == "*":
                regex += "[^/]*"
            elif char == "?":
                regex += "[^/]"
            elif char == "\\" and i + 1 < len(pattern):
                i += 1
                regex += re.escape(pattern[i])
            elif char in "[]-^":
                regex += char  # character classes pass through
            else:
                regex += re.escape(char)
            i += 1
        return regex + "$"

    def excludes(self, path: str) -> bool:
        parts = path.split("/")
        candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        excluded = False
        for exclusion, regex in self.patterns:
            if any(regex.match(candidate) for candidate in candidates):
                excluded = not exclusion
        return excluded


@pytest.fixture(scope="module")
def ignore() -> DockerIgnore:
    return DockerIgnore((ROOT / ".dockerignore").read_text())


def paths_run_sh_writes() -> list[str]:
    """What scripts/run.sh (and the lib.sh it sources) writes below the checkout: redirect targets
    and every $ROOT/... path in the .env it generates (the database, the mail directory), plus the
    virtualenv it creates. Read from the script so a new path there is checked here too."""
    script = (ROOT / "scripts" / "run.sh").read_text()
    paths = set(re.findall(r"\$ROOT/([\w./-]+)", script))
    paths |= {target for target in re.findall(r"(?<![<>&\d])>\s*([\w./-]+)", script) if not target.startswith("/")}
    paths.add(".venv")  # venv_ensure in lib.sh
    return sorted(paths)


def test_the_paths_read_from_run_sh_are_the_ones_it_writes():
    assert {".env", "db.sqlite3", "var/mail", ".venv"} <= set(paths_run_sh_writes())


def test_it_excludes_everything_run_sh_writes(ignore):
    for path in paths_run_sh_writes():
        assert ignore.excludes(path), path


@pytest.mark.parametrize("path", [
    ".env",
    ".env.local",
    ".env.production",
    "config/.env",
    "db.sqlite3",
    "db.sqlite3-wal",
    "db.sqlite3-shm",
    "db.sqlite3-journal",
    "var/mail/20260101-120000-140212345.log",
    "var/mail/x.eml",
    "var/private/exports/x.csv",
    "var/test/pg/data/PG_VERSION",
    "var/celerybeat-schedule",
    ".venv/bin/python",
    ".git/config",
    "__pycache__/x.cpython-311.pyc",
    "enrollment/__pycache__/qr.cpython-311.pyc",
    "enrollment/qr.pyc",
    "staticfiles/admin/css/base.css",
    "test-results/trace.zip",
    "benchmarks/results/qr_render-20260101T000000Z.json",
    ".pytest_cache/v/cache/lastfailed",
    ".mypy_cache/3.11/cache.db",
    ".ruff_cache/CACHEDIR.TAG",
    "onramp.egg-info/PKG-INFO",
    "locale/de/LC_MESSAGES/django.mo",
])
def test_it_excludes_secrets_data_and_local_tooling(ignore, path):
    assert ignore.excludes(path)


@pytest.mark.parametrize("path", [
    "Dockerfile",
    "manage.py",
    "pyproject.toml",
    "README.md",
    ".env.example",
    "config/settings.py",
    "enrollment/qr.py",
    "templates/base.html",
    "static/css/onramp.css",
    "locale/de/LC_MESSAGES/django.po",
])
def test_it_keeps_what_the_image_needs(ignore, path):
    assert not ignore.excludes(path)


def test_it_keeps_every_tracked_file(ignore):
    # The test command runs in a checkout (CI: a fresh clone), so git answers.
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert [path for path in tracked.splitlines() if ignore.excludes(path)] == []


@pytest.mark.parametrize("pattern, path, expected", [
    (".env", "config/.env", False),  # no implicit "**/" as in .gitignore
    ("**/.env", "config/.env", True),
    ("var", "var/mail/x.eml", True),  # a matching parent excludes its contents
    ("*.pyc", "a/b.pyc", False),  # "*" stops at "/"
    ("**/*.pyc", "b.pyc", True),  # "**/" also matches no directory
])
def test_the_matcher_follows_dockers_rules(pattern, path, expected):
    assert DockerIgnore(pattern).excludes(path) is expected
