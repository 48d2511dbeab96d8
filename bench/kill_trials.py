"""Kill -9 trials: an import killed at a random moment changes all of its values or none, and
its job record tells the truth.

    .venv/bin/python bench/kill_trials.py [--trials 20] [--rows 200000] [--seed 7]

On a throwaway database (SQLite in a temporary folder; with DATABASE_URL a PostgreSQL database
created on that server and dropped at the end), writes two CSV files of ROWS values, A and
B = 2 × A (both keep the validation rule E0 ≤ E1), and imports A once. Each trial then starts
`weijian data import` of the other file in a child process, kills it with SIGKILL after a
random delay between 0 and 1.2 × the time of a full import, and checks:

  * partial: the values table is neither wholly the file before nor wholly the file after
    (count and sum of the values), or the audit rows are not one per value changed by the
    applied imports;
  * false record: after `recover_interrupted()` (what the pages and the worker run), the
    trial's job says applied while the values are the old ones, or says anything else while
    the values are the new ones, or is still "running".

Prints one line per trial and the tally; exits 1 if any trial was partial or false.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from bench_data import _throwaway_server_database

    tmp = Path(tempfile.mkdtemp(prefix="weijian-kill-"))
    os.environ["WEIJIAN_VAR_DIR"] = str(tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "weijian.settings"
    server = _throwaway_server_database() if os.environ.get("DATABASE_URL") else None
    if server is None:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'kill.sqlite3'}"
    try:
        return run(args, tmp)
    finally:
        from django.db import connections

        connections.close_all()
        if server is not None:
            server.drop()
        shutil.rmtree(tmp, ignore_errors=True)


def _import(path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "weijian"), "data", "--skip-checks", "import", str(path), "--quiet"],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def run(args, tmp: Path) -> int:
    import django

    django.setup()
    from bench_import import generate, setup_city
    from django.db import connection
    from django.db.models import Count, Sum

    from weijian.data.imports import recover_interrupted
    from weijian.data.models import DataValue, DataValueAudit, ImportJob

    _elements, institutions = setup_city(args.rows)
    files, states = {}, {}
    for name, factor in (("A", 1), ("B", 2)):
        path = tmp / f"{name}.csv"
        total = 0
        with open(path, "w", encoding="utf-8", newline="") as out:
            out.write("数据元编码,机构编码,期间,数值\r\n")
            for i, code, month, v in generate(institutions, args.rows):
                out.write(f"E{i},{code},{month},{v * factor}\r\n")
                total += v * factor
        files[name], states[name] = path, (args.rows, total)
    # Audit rows: every value when first created, then only the values that change (a 0 stays 0).
    changing = sum(1 for *_rest, v in generate(institutions, args.rows) if v != 0)
    connection.close()

    def state() -> str:
        row = DataValue.objects.aggregate(n=Count("id"), s=Sum("value"))
        seen = (row["n"], int(row["s"] or 0))
        return next((name for name, expected in states.items() if expected == seen), f"partial {seen}")

    t = time.perf_counter()
    child = _import(files["A"])
    child.wait()
    full = time.perf_counter() - t
    assert state() == "A", state()
    print(f"kill trials — {connection.vendor}, {args.rows:,} rows; a full import takes {full:.1f} s")

    rnd = random.Random(args.seed)
    tally = {"killed": 0, "finished first": 0, "partial": 0, "false record": 0}
    applied_jobs = ImportJob.objects.filter(status="applied").count()
    for trial in range(1, args.trials + 1):
        before = state()
        target = "B" if before == "A" else "A"
        last_job = ImportJob.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        delay = rnd.uniform(0, 1.2 * full)
        child = _import(files[target])
        time.sleep(delay)
        finished = child.poll() is not None
        running = ImportJob.objects.filter(pk__gt=last_job).values_list("stage", flat=True).first()
        if not finished:
            os.kill(child.pid, signal.SIGKILL)
        child.wait()
        connection.close()
        recover_interrupted()
        job = ImportJob.objects.filter(pk__gt=last_job).order_by("pk").first()
        now = state()
        status = job.status if job else "no record"
        partial = now not in states
        if status == "applied":
            applied_jobs += 1
        audits_ok = DataValueAudit.objects.count() == args.rows + changing * (applied_jobs - 1)
        false = (status == "applied" and now != target) or (status != "applied" and now == target)
        false = false or status == "running"
        tally["finished first" if finished else "killed"] += 1
        tally["partial"] += partial or not audits_ok
        tally["false record"] += false
        print(
            f"  trial {trial:2d}: kill after {delay:5.1f} s"
            f"{' (already done)' if finished else ' while ' + (running or 'starting')}: "
            f"values {before} → {now}; job {status}"
            f"{'  PARTIAL' if partial or not audits_ok else ''}{'  FALSE RECORD' if false else ''}"
        )
    print(
        f"tally: {args.trials} trials, {tally['killed']} killed mid-import, {tally['finished first']} finished "
        f"before the kill; {tally['partial']} partial, {tally['false record']} false job records"
    )
    return 1 if tally["partial"] or tally["false record"] else 0


if __name__ == "__main__":
    sys.exit(main())
