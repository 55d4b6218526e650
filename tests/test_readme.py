"""README stays true: every environment variable the settings read is in its table, and in
.env.example (but the benchmarks' switch, which is never set in a console)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEVER_IN_A_CONSOLE = {"BENCHMARK_BASELINE_VIEW"}


def variables_read() -> set[str]:
    settings = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.[a-z_]+)?\("([A-Z0-9_]+)"', settings))


def test_the_settings_read_variables_at_all():
    assert {"SECRET_KEY", "DATABASE_URL", "WEBHOOK_TIMEOUT_SECONDS", "API_RATE_LIMIT"} <= variables_read()


def test_every_variable_the_settings_read_is_in_the_readme_table():
    table = (ROOT / "README.md").read_text().split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    assert sorted(name for name in variables_read() if f"`{name}`" not in table) == []


def test_every_variable_but_the_benchmarks_switch_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?([A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert sorted(variables_read() - NEVER_IN_A_CONSOLE - listed) == []
