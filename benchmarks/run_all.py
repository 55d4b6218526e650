"""Every target of SPEC "Performance" in one table.

Runs each benchmark of this directory one after the other (they share two cores; running them at
once would measure each other), collects the targets each one wrote to its JSON, times the test
command (``scripts/test.sh``) once, and prints one table: target, rule, figure, met / missed. The
whole table is written to ``benchmarks/results/run_all-<UTC stamp>.json``.

By default the sizes are the ones that finish in about 15 minutes on a 2-core machine; ``--full``
runs the sizes SPEC names (1,000,000-row lists, 100,000-row bulk files). A benchmark that fails or
writes no targets shows as an error row; the exit status is 0 only when every target was met.

    .venv/bin/python benchmarks/run_all.py [--full] [--only lists,qr_render] [--skip-test-command]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _harness import BENCH_DIR, PROJECT_DIR, RESULTS_DIR, Target, print_targets, write_results


@dataclass(frozen=True)
class Benchmark:
    name: str
    script: str
    quick: tuple[str, ...] = ()
    full: tuple[str, ...] = ()


BENCHMARKS = [
    Benchmark("bulk_provision", "bulk_provision.py", quick=("--email",), full=("--email",)),
    Benchmark("notifications", "notifications.py"),
    Benchmark("lists", "lists.py", quick=("--rows", "200000", "--repeat", "12", "--rounds", "3"),
              full=("--rows", "1000000")),
    Benchmark("qr_render", "qr_render.py"),
    Benchmark("redeem_throughput", "redeem_throughput.py"),
]
TEST_COMMAND_LIMIT_SECONDS = 100.0


def run_benchmark(bench: Benchmark, *, full: bool) -> tuple[list[Target], str]:
    """Run one benchmark script; its targets (from the JSON it wrote), and an error text or ""."""
    args = bench.full if full else bench.quick
    with tempfile.TemporaryDirectory() as tmp:
        result_file = Path(tmp) / "result.json"
        env = {**os.environ, "BENCH_RESULT_FILE": str(result_file)}
        print(f"\n==> {bench.script} {' '.join(args)}", flush=True)
        started = time.perf_counter()
        completed = subprocess.run([sys.executable, str(BENCH_DIR / bench.script), *args], env=env,
                                   cwd=PROJECT_DIR, check=False)
        print(f"==> {bench.script}: exit {completed.returncode} after {time.perf_counter() - started:.0f} s",
              flush=True)
        if not result_file.is_file():
            return [], f"exit {completed.returncode}, no results written"
        document = json.loads(result_file.read_text())
    targets = [Target(name=t["target"], value=t["value"], limit=t["limit"], unit=t["unit"],
                      at_least=t["at_least"], detail=t.get("detail", "")) for t in document.get("targets", [])]
    return targets, "" if targets else "no targets in its results"


def time_test_command() -> tuple[list[Target], str]:
    """The whole test command once, wall time (the virtualenv exists by now)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log = RESULTS_DIR / f"test_command-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.log"
    print(f"\n==> bash scripts/test.sh (output in {log})", flush=True)
    started = time.perf_counter()
    with log.open("wb") as output:
        completed = subprocess.run(["bash", "scripts/test.sh"], cwd=PROJECT_DIR, check=False,
                                   stdout=output, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        return [], f"the test command failed (exit {completed.returncode}) after {seconds:.0f} s; see {log}"
    return [Target("Test command (scripts/test.sh, whole suite)", seconds, TEST_COMMAND_LIMIT_SECONDS,
                   unit=" s", detail="wall time, virtualenv present")], ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the sizes SPEC names (takes longer)")
    parser.add_argument("--only", default="", help="comma-separated benchmark names (default: all)")
    parser.add_argument("--skip-test-command", action="store_true", help="do not time scripts/test.sh")
    args = parser.parse_args()
    chosen = {name for name in args.only.split(",") if name}
    unknown = chosen - {b.name for b in BENCHMARKS} - {"test_command"}
    if unknown:
        raise SystemExit(f"Unknown benchmark(s): {', '.join(sorted(unknown))}")

    targets: list[Target] = []
    errors: dict[str, str] = {}
    for bench in BENCHMARKS:
        if chosen and bench.name not in chosen:
            continue
        found, error = run_benchmark(bench, full=args.full)
        targets += found
        if error:
            errors[bench.name] = error
    if not args.skip_test_command and (not chosen or "test_command" in chosen):
        found, error = time_test_command()
        targets += found
        if error:
            errors["test_command"] = error

    print_targets(targets, title=f"Every target ({'full' if args.full else 'quick'} sizes)")
    for name, error in errors.items():
        print(f"ERROR {name}: {error}")
    met = sum(t.met for t in targets)
    print(f"\n{met} of {len(targets)} targets met; {len(errors)} benchmark(s) without a figure")
    path = write_results("run_all", {"full": args.full, "errors": errors}, targets=targets)
    print(f"Results: {path}")
    sys.exit(0 if targets and met == len(targets) and not errors else 1)


if __name__ == "__main__":
    main()
