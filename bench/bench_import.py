"""Benchmark: a big CSV import, its peak memory, and its time against a plain COPY.

    .venv/bin/python bench/bench_import.py [--rows N]

On a throwaway database (SQLite in a temporary folder; with DATABASE_URL a PostgreSQL
database `weijian_bench_<pid>` created on that server and dropped at the end), builds a city
with enough institutions for N monthly values of 10 elements over 120 months, writes the CSV
to disk (streamed, never held), then:

  * imports it with `weijian data import FILE` in a child process (all checks, validation rule,
    staging, merge, one audit row per value) and reads the child's peak RSS from
    getrusage(RUSAGE_CHILDREN) — the memory of the whole import process;
  * on PostgreSQL, in the same run, COPYs the same rows (ids already resolved) into an empty
    table made LIKE the data values table (same columns, same indexes): the floor for getting
    the rows into the database. Prints import / plain COPY.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

ELEMENTS = 10
MONTHS = [f"{y}{m:02d}" for y in range(2015, 2025) for m in range(1, 13)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    from bench_data import _throwaway_server_database

    tmp = Path(tempfile.mkdtemp(prefix="weijian-bench-import-"))
    os.environ["WEIJIAN_VAR_DIR"] = str(tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "weijian.settings"
    server = _throwaway_server_database() if os.environ.get("DATABASE_URL") else None
    if server is None:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    try:
        return run(args.rows, tmp)
    finally:
        from django.db import connections

        connections.close_all()
        if server is not None:
            server.drop()
        shutil.rmtree(tmp, ignore_errors=True)


def setup_city(rows: int):
    """Catalogue and hierarchy for `rows` values; returns (elements, institutions)."""
    from bench_data import _hierarchy
    from django.core.management import call_command

    from weijian.data.models import ValidationRule
    from weijian.indicators.models import DataElement

    call_command("migrate", verbosity=0)
    units = max(10, math.ceil(rows / (ELEMENTS * len(MONTHS))))
    _city, _counties, institutions = _hierarchy(units)
    elements = [
        DataElement.objects.create(code=f"E{i}", name=f"数据元{i}", unit="人", min_value=0)
        for i in range(ELEMENTS)
    ]
    ValidationRule.objects.create(
        code="E0_LE_E1", name="分子不大于分母", left="E0", operator="<=", right="E1"
    )
    return elements, institutions


def generate(institutions, rows: int):
    """(element index, unit code, month, value) for `rows` values; E0 ≤ E1 always."""
    rnd = random.Random(2024)
    left = rows
    for month in reversed(MONTHS):
        for unit in institutions:
            den = rnd.randint(100, 1000)
            values = [den * rnd.randint(50, 95) // 100, den] + [
                rnd.randint(0, 5000) for _ in range(ELEMENTS - 2)
            ]
            for i, v in enumerate(values):
                if left <= 0:
                    return
                yield i, unit.code, month, v
                left -= 1


def write_csv(path: Path, institutions, rows: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("数据元编码,机构编码,期间,数值\r\n")
        for i, code, month, v in generate(institutions, rows):
            out.write(f"E{i},{code},{month},{v}\r\n")


def run(rows: int, tmp: Path) -> int:
    import django

    django.setup()
    from django.db import connection

    from weijian.data.models import DataValue, DataValueAudit, ImportJob

    elements, institutions = setup_city(rows)
    vendor = connection.vendor
    print(f"import benchmark — {vendor}, {rows:,} values, {len(institutions):,} institutions")
    path = tmp / "bench.csv"
    t = time.perf_counter()
    write_csv(path, institutions, rows)
    print(
        f"  write CSV                 {time.perf_counter() - t:8.2f} s   ({path.stat().st_size / 1e6:.0f} MB)"
    )
    connection.close()

    weijian = str(ROOT / ".venv" / "bin" / "weijian")
    # The start-up of a command (Python, Django, a database connection): taken off the import's time.
    starts = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([weijian, "data", "--skip-checks", "jobs"], env=os.environ.copy(), capture_output=True)
        starts.append(time.perf_counter() - t)
    start_up = min(starts)
    t = time.perf_counter()
    child = subprocess.run(
        [weijian, "data", "--skip-checks", "import", str(path), "--quiet"],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if child.returncode != 0:
        print(child.stdout[-2000:], child.stderr[-2000:])
        return 1
    assert DataValue.objects.count() == rows, DataValue.objects.count()
    assert DataValueAudit.objects.count() == rows
    job = ImportJob.objects.get()
    assert job.status == "applied", job.message
    # The whole import to its commit (the job's own `finished` is stamped inside the write
    # transaction, before the commit and its deferred foreign-key checks).
    took = elapsed - start_up
    print(
        f"  weijian data import       {elapsed:8.2f} s   (process, incl. start-up), peak RSS {peak_mb:,.0f} MB"
    )
    print(f"    less start-up ({start_up:4.2f} s)  {took:8.2f} s   ({rows / took:,.0f} rows/s)")

    if vendor == "postgresql":
        bare = plain_copy(connection, elements, institutions, rows, keys=False)
        print(f"  plain COPY, same rows     {bare:8.2f} s   (a twin of the values table: same indexes)")
        plain = plain_copy(connection, elements, institutions, rows, keys=True)
        print(f"  plain COPY, same rows     {plain:8.2f} s   (the twin with the same foreign keys as well)")
        audit = plain_copy_audit(connection, elements, institutions, rows, job.pk)
        print(f"  plain COPY, audit rows    {audit:8.2f} s   (one per value, into a twin of the audit table)")
        print(
            f"  import / plain COPY       {took / plain:8.2f} ×   (against the twin with indexes only: "
            f"{took / bare:.2f} ×)"
        )
        print(f"  import / both plain COPYs {took / (plain + audit):8.2f} ×   (values and their audit rows)")
    return 0


def plain_copy(connection, elements, institutions, rows: int, *, keys: bool) -> float:
    """COPY the same rows, ids resolved beforehand, into an empty twin of the values table:
    its columns and indexes, and with `keys` its foreign keys too (checked at the commit, as
    the values table's are), then commit: the floor for getting the rows into such a table."""
    from django.utils import timezone

    from weijian.data.models import DataValue, Period
    from weijian.orgs.models import OrgUnit

    table = DataValue._meta.db_table
    element_ids = [e.pk for e in elements]
    unit_ids = dict(OrgUnit.objects.values_list("code", "pk"))
    period_ids = dict(Period.objects.values_list("code", "pk"))
    now = timezone.now()
    _twin(connection, table, "bench_plain", keys=keys)
    t = time.perf_counter()
    with connection.connection.cursor() as cursor:
        cols = "element_id, org_unit_id, period_id, value, comment, created, updated"
        with cursor.copy(f"COPY bench_plain ({cols}) FROM STDIN") as copy:
            for i, code, month, v in generate(institutions, rows):
                copy.write_row((element_ids[i], unit_ids[code], period_ids[month], v, "", now, now))
    connection.connection.commit() if not connection.get_autocommit() else None
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bench_plain")
    return time.perf_counter() - t


def plain_copy_audit(connection, elements, institutions, rows: int, job_id: int) -> float:
    """COPY one audit row per value (as an import of new values writes) into a twin of the
    audit table with its indexes and foreign keys, then commit."""
    from django.utils import timezone

    from weijian.data.models import DataValueAudit, Period
    from weijian.orgs.models import OrgUnit

    element_ids = [e.pk for e in elements]
    unit_ids = dict(OrgUnit.objects.values_list("code", "pk"))
    period_ids = dict(Period.objects.values_list("code", "pk"))
    now = timezone.now()
    _twin(connection, DataValueAudit._meta.db_table, "bench_plain_audit", keys=True)
    t = time.perf_counter()
    with connection.connection.cursor() as cursor:
        cols = "element_id, org_unit_id, period_id, new_value, at, source, import_job_id"
        with cursor.copy(f"COPY bench_plain_audit ({cols}) FROM STDIN") as copy:
            for i, code, month, v in generate(institutions, rows):
                copy.write_row((element_ids[i], unit_ids[code], period_ids[month], v, now, "import", job_id))
    connection.connection.commit() if not connection.get_autocommit() else None
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bench_plain_audit")
    return time.perf_counter() - t


def _twin(connection, table: str, twin: str, *, keys: bool) -> None:
    """An empty table like `table`: its columns, defaults and indexes; with `keys` its
    foreign keys (as deferred as the original's)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {twin}")
        cursor.execute(f"CREATE TABLE {twin} (LIKE {table} INCLUDING ALL)")
        if keys:
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'f'",
                [table],
            )
            for (definition,) in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {twin} ADD {definition}")
    connection.ensure_connection()


if __name__ == "__main__":
    sys.exit(main())
