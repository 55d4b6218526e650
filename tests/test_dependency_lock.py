"""The dependency locks in requirements/ (scripts/lock.sh writes them with pip-compile) match pyproject.toml:
every requirement of the dependencies and the extras a lock covers is pinned there to a version it allows,
nothing is pinned as a direct requirement that pyproject.toml no longer has, a package has one version in
all the locks, and no lock names an index or a host."""

import re
import tomllib
from importlib import metadata
from pathlib import Path
from typing import cast

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
REFRESH = "run scripts/lock.sh and commit requirements/*.txt"

# Each lock and the extras of pyproject.toml it installs (with the dependencies).
LOCKS = {
    "requirements/base.txt": (),
    "requirements/ldap.txt": ("ldap",),
    "requirements/test.txt": ("test", "ldap", "dev"),
}
DIRECT = "onramp (pyproject.toml)"
# The locks are compiled for Python 3.11 (requires-python) on Linux.
ENVIRONMENT: dict[str, str] = {**cast(dict[str, str], default_environment()), "python_version": "3.11",
                               "python_full_version": "3.11.0"}


class Lock:
    """A pip-compile output: its pins (name -> version) and the packages pyproject.toml asks for directly
    (those with "onramp (pyproject.toml)" among their "# via" annotations)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pins: dict[str, str] = {}
        self.direct: set[str] = set()
        current = None
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped or stripped.startswith("--hash="):
                continue
            if stripped.startswith("#"):
                via = stripped.lstrip("#").strip().removeprefix("via").strip()
                if current and line.startswith(" ") and via == DIRECT:
                    self.direct.add(current)
                continue
            requirement = Requirement(stripped.removesuffix("\\").strip())
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", f"{stripped!r} is not an exact pin"
            current = canonicalize_name(requirement.name)
            self.pins[current] = specifier.version


def wanted(extras: tuple[str, ...]) -> list[Requirement]:
    requirements = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    for extra in extras:
        requirements += [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"][extra]]
    return [r for r in requirements if r.marker is None or r.marker.evaluate({**ENVIRONMENT, "extra": ""})]


@pytest.fixture(scope="module")
def locks() -> dict[str, Lock]:
    missing = [path for path in LOCKS if not (ROOT / path).is_file()]
    assert not missing, f"missing lock {', '.join(missing)}: {REFRESH}"
    return {path: Lock((ROOT / path).read_text()) for path in LOCKS}


@pytest.mark.parametrize("path", LOCKS)
def test_every_requirement_of_pyproject_is_pinned_to_a_version_it_allows(locks, path):
    lock = locks[path]
    problems = []
    for requirement in wanted(LOCKS[path]):
        name = canonicalize_name(requirement.name)
        if name not in lock.pins:
            problems.append(f"{requirement} is not in the lock")
        elif not requirement.specifier.contains(lock.pins[name], prereleases=True):
            problems.append(f"{requirement} does not allow the locked {requirement.name}=={lock.pins[name]}")
    assert not problems, f"{path} does not match pyproject.toml ({REFRESH}): " + "; ".join(problems)


@pytest.mark.parametrize("path", LOCKS)
def test_the_extras_of_a_requirement_are_pinned_too(locks, path):
    """celery[redis], qrcode[pil], …: what the extra adds, read from the installed distribution's metadata
    (when the installed version is the locked one), is in the lock too."""
    lock = locks[path]
    problems = []
    for requirement in wanted(LOCKS[path]):
        name = canonicalize_name(requirement.name)
        try:
            installed = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            continue
        if not requirement.extras or installed.version != lock.pins.get(name):
            continue
        for extra in sorted(requirement.extras):
            for line in installed.requires or []:
                needed = Requirement(line)
                if needed.marker is None or not needed.marker.evaluate({**ENVIRONMENT, "extra": extra}):
                    continue
                if canonicalize_name(needed.name) not in lock.pins:
                    problems.append(f"{needed.name} (for {requirement.name}[{extra}]) is not in the lock")
    assert not problems, f"{path} does not match pyproject.toml ({REFRESH}): " + "; ".join(problems)


@pytest.mark.parametrize("path", LOCKS)
def test_the_lock_has_no_direct_requirement_that_pyproject_dropped(locks, path):
    names = {canonicalize_name(r.name) for r in wanted(LOCKS[path])}
    assert locks[path].direct, f"{path} has no '# via {DIRECT}' annotations: {REFRESH}"
    dropped = sorted(locks[path].direct - names)
    assert not dropped, f"{path} still locks {', '.join(dropped)}, no longer in pyproject.toml: {REFRESH}"


def test_a_package_has_the_same_version_in_every_lock(locks):
    full = locks["requirements/test.txt"].pins
    for path, lock in locks.items():
        differ = {name: (version, full.get(name)) for name, version in lock.pins.items() if full.get(name) != version}
        assert not differ, f"{path} and requirements/test.txt disagree on {differ}: {REFRESH}"


@pytest.mark.parametrize("path", LOCKS)
def test_every_pin_has_hashes_and_no_index_or_host_is_named(locks, path):
    text = locks[path].text
    header = "\n".join(line for line in text.splitlines()[:10] if line.startswith("#"))
    assert "scripts/lock.sh" in header, f"{path}: its header should name the refresh command"
    assert not re.search(r"^\s*-(-index-url|-extra-index-url|-find-links|-trusted-host|i|f)\b", text, re.M), path
    assert "://" not in text, f"{path} names a URL"
    pins_with_hashes = re.findall(r"^\S+==\S+ \\\n\s+--hash=sha256:", text, re.M)
    assert len(pins_with_hashes) == len(locks[path].pins), f"{path}: every pin needs its hashes ({REFRESH})"
