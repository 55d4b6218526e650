"""The embedded default as a person runs it: ``scripts/run.sh`` starts the console and a Celery worker
with beat on kombu's filesystem broker (no Redis). A bulk job with "Notify users by Email" answers
Start at once and shows live progress while another admin provisions a user; the worker sends the
mail in batches; Ctrl-C stops the server and the worker, leaving no process behind."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, Page, expect

from tests.outside import free_port, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ROWS = 1000
BATCH = 50


@dataclass
class RunScript:
    """``scripts/run.sh`` in a session of its own, as a terminal would run it; its output is kept."""

    process: subprocess.Popen[str]
    url: str
    home: Path
    output: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(self.output)

    def password(self) -> str:
        match = re.search(r"username: admin\s+password: (\S+)", self.text())
        return match[1] if match else ""

    def pid(self, label: str) -> int:
        match = re.search(rf"{label} \(pid (\d+)\)", self.text())
        assert match, self.text()
        return int(match[1])

    def ctrl_c(self) -> None:
        # What the terminal does on Ctrl-C: SIGINT to the script's foreground process group.
        os.killpg(self.process.pid, signal.SIGINT)

    def processes_left(self) -> list[str]:
        """Processes still running in this copy of the project (the worker, beat, the server)."""
        left = []
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and Path(os.readlink(proc / "cwd")).is_relative_to(self.home):
                    left.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:
                continue
        return left


# A private copy of the working tree, so nothing another process changes under it (the server's
# autoreloader restarts on any edited module) and run.sh writes its .env, database and var/ there. The
# compiled modules go along (copied with their sources' times, so Python still checks them against the
# sources): run.sh's processes need not compile the project again.
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "var", ".env", "db.sqlite3", ".mypy_cache", ".ruff_cache",
                                     "*.egg-info", "staticfiles", "test-results")


@pytest.fixture
def run_script(tmp_path: Path) -> Iterator[RunScript]:
    home = tmp_path / "onramp"
    shutil.copytree(ROOT, home, ignore=COPY_IGNORE)
    (home / ".venv").symlink_to(ROOT / ".venv")
    port = free_port()
    # What run.sh writes on a first start, with a smaller bulk batch so progress shows in a short test, and
    # the live parts polled every quarter second (the suite's interval) instead of every two.
    (home / ".env").write_text("\n".join([
        "DEBUG=true",
        f"SECRET_KEY={'e2e-' + 'k' * 60}",
        f"OTP_ENCRYPTION_KEY={Fernet.generate_key().decode()}",
        f"DATABASE_URL=sqlite:///{home / 'db.sqlite3'}",
        f"DEFAULT_ACTIVATION_URL=http://localhost:{port}",
        "ALLOWED_HOSTS=localhost,127.0.0.1",
        "EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend",
        f"EMAIL_FILE_PATH={home / 'var' / 'mail'}",
        f"BULK_BATCH_SIZE={BATCH}",
        "LIVE_POLL_MS=250",
        "",
    ]))
    # Only what a login shell has: no DATABASE_URL, REDIS_URL or DJANGO_SETTINGS_MODULE of the suite.
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}
    process = subprocess.Popen(["bash", str(home / "scripts" / "run.sh"), str(port)], cwd=home, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True, preexec_fn=interruptible)
    script = RunScript(process=process, url=f"http://127.0.0.1:{port}", home=home)
    stdout = process.stdout
    assert stdout is not None
    reader = threading.Thread(target=lambda: script.output.extend(iter(stdout.readline, "")), daemon=True)
    reader.start()
    try:
        wait_for(lambda: "Onramp console:" in script.text() or process.poll() is not None, timeout=120,
                 what="run.sh to start the console")
        assert process.poll() is None, script.text()
        wait_for(lambda: listening(port), timeout=60, what="the server to listen")
        yield script
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        # The server and the worker run in process groups of their own: when the script died first
        # (a failed start, a test that failed midway) they would outlive it. Nothing of this copy may.
        subprocess.run(["pkill", "-KILL", "-f", str(home)], check=False)


def interruptible() -> None:
    """Ctrl-C reaches run.sh as it does from a terminal. A suite started in the background (``cmd &`` in a
    script: CI, an editor) runs with SIGINT ignored, which children inherit, and a shell cannot trap a signal
    ignored when it starts: run.sh would not hear Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def sign_in(browser: Browser, script: RunScript, username: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{script.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(script.password())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"{re.escape(script.url)}/(devices/pending|account/two-step/setup)/$"))
    if page.url.endswith("/setup/"):
        # Administrators must use two-step verification (the default): the demo admin sets it up at the first
        # sign-in, the code computed from the key the page shows, as an authenticator app would.
        secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Turn on").click()
        page.wait_for_url(f"{script.url}/account/")
        page.goto(f"{script.url}/devices/pending/")
    assert page.url == f"{script.url}/devices/pending/", page.url
    return page


def mail_recipients(folder: Path) -> list[str]:
    return [line[4:].strip() for path in folder.glob("*.log") if path.is_file()
            for line in path.read_text(errors="replace").splitlines() if line.startswith("To: ")]


def test_run_sh_runs_a_bulk_job_with_email_on_a_worker_while_another_admin_provisions(
        run_script: RunScript, browser: Browser, tmp_path: Path) -> None:
    admin = sign_in(browser, run_script, "admin")
    admin.goto(f"{run_script.url}/licenses/")
    admin.get_by_label("Total licences").fill(str(ROWS + 100))
    admin.get_by_role("button", name="Set total").click()
    total = ROWS + 100
    expect(admin.get_by_test_id("total")).to_have_text(re.compile(rf"{total // 1000},?{total % 1000:03d}"))

    rows = [["Username", "Email"]] + [[f"bulk{i:05d}", f"bulk{i:05d}@example.com"] for i in range(ROWS)]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    (tmp_path / "rollout.csv").write_text(buffer.getvalue())
    admin.goto(f"{run_script.url}/devices/pending/bulk/")
    admin.get_by_label("CSV file").set_input_files(str(tmp_path / "rollout.csv"))
    admin.get_by_label("Notify users by Email").check()
    admin.get_by_role("button", name="Upload and preview").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Preview: rollout.csv")
    admin.get_by_role("button", name="Start").click()

    # Start answers at once (the job is on the worker): the list shows it in progress, and the
    # count moves while the page polls.
    expect(admin.get_by_role("heading", level=1)).to_have_text("Bulk Provision Users")
    row = admin.locator("tr[data-job]").first
    expect(row).to_contain_text("In progress")
    counts: set[str] = set()

    def seen_a_count_in_between() -> bool:
        for text in row.locator(".job-count").all_inner_texts():
            counts.add(text)
            done, total = (int(n) for n in re.findall(r"\d+", text.replace(",", "")))
            if 0 < done < total:
                return True
        return False

    wait_for(seen_a_count_in_between, timeout=60, what="live progress on the page")
    # Meanwhile another admin provisions a user: the write goes through, no "database is locked".
    other = sign_in(browser, run_script, "superhelp")
    other.goto(f"{run_script.url}/devices/pending/provision/")
    other.get_by_label("Ownership").select_option("corporate")
    other.get_by_role("textbox", name="Username", exact=True).fill("mila")
    other.get_by_label("User Type").select_option("local")
    other.get_by_label("Email").fill("mila@example.com")
    # superhelp vouches for it (the admin's check would also ask for the admin's current code).
    other.get_by_label("Authorizing Username").fill("superhelp")
    other.get_by_label("Authorizing Password").fill(run_script.password())
    other.get_by_role("button", name="Provision User").click()
    expect(other.get_by_role("heading", name="Provisioned User Details")).to_be_visible()
    assert "database is locked" not in other.content()

    expect(row).to_contain_text("Available for download", timeout=120_000)

    # The worker sends the mail: every user's, each batch over one connection (one file each).
    def every_user_mailed() -> bool:
        recipients = set(mail_recipients(run_script.home / "var" / "mail"))
        return "mila@example.com" in recipients and len({r for r in recipients if r.startswith("bulk")}) >= ROWS

    wait_for(every_user_mailed, timeout=120, what="every email written by the worker")
    recipients = mail_recipients(run_script.home / "var" / "mail")
    assert sorted(r for r in recipients if r.startswith("bulk")) == [f"bulk{i:05d}@example.com" for i in range(ROWS)]
    assert "mila@example.com" in recipients
    assert len(list((run_script.home / "var" / "mail").glob("*.log"))) <= ROWS // BATCH + 5

    worker, server = run_script.pid("Celery worker and beat"), run_script.pid("Console server")
    run_script.ctrl_c()
    run_script.process.wait(timeout=30)
    for pid in (worker, server):
        with pytest.raises(ProcessLookupError):
            os.killpg(pid, 0)
    assert run_script.processes_left() == []
    assert "Stopping the server and the worker" in run_script.text()
