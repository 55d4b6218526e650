"""The translation catalogues (locale/<lang>/LC_MESSAGES/django.po): complete, nothing fuzzy, and in step with
the code: every text marked for translation in the templates and the Python code is in each of them. Checked with
gettext's own tools (msgfmt, msgattrib) and Django's makemessages, run on a copy of the project."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lib.languages import Language

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in Language.values if code != "en"]


def catalogue(language: str, root: Path = ROOT) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_entry_of_the_catalogue_is_translated_and_none_is_fuzzy(language: str) -> None:
    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, str(catalogue(language))],
                            capture_output=True, text=True, check=True)
    # "136 translated messages." and nothing about untranslated or fuzzy ones.
    assert re.fullmatch(r"\d+ translated messages?\.", result.stderr.strip().splitlines()[-1]), result.stderr
    fuzzy = subprocess.run(["msgattrib", "--only-fuzzy", str(catalogue(language))],
                           capture_output=True, text=True, check=True)
    assert fuzzy.stdout == ""


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_translation_is_empty(language: str) -> None:
    empty = subprocess.run(["msgattrib", "--untranslated", str(catalogue(language))],
                           capture_output=True, text=True, check=True)
    assert empty.stdout == ""


def test_every_text_marked_for_translation_is_in_each_catalogue(tmp_path: Path) -> None:
    """makemessages on a copy of the sources: merged into the catalogues, it finds no new text (it would be
    empty or fuzzy there) and no text the code no longer has (it would be obsolete)."""
    copy = tmp_path / "onramp"
    shutil.copytree(ROOT, copy, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "var", "tests", "benchmarks", "staticfiles", "__pycache__", "*.mo", "node_modules"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "PYTHONPATH": str(copy)}
    subprocess.run([sys.executable, "manage.py", "makemessages", *[f"-l{code}" for code in TRANSLATED],
                    "--ignore=var", "--ignore=tests", "--ignore=benchmarks", "--ignore=staticfiles"],
                   cwd=copy, env=env, capture_output=True, text=True, check=True)
    for language in TRANSLATED:
        merged = catalogue(language, copy)
        for flag, what in (("--untranslated", "new texts"), ("--only-fuzzy", "texts changed in the code"),
                           ("--only-obsolete", "texts the code no longer has")):
            found = subprocess.run(["msgattrib", flag, "--no-wrap", str(merged)], capture_output=True, text=True,
                                   check=True).stdout
            assert found == "", f"{language}: {what} (refresh with makemessages, see README):\n{found}"
