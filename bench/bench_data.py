"""Benchmark: importing data values and analysing them, on a throwaway database.

    .venv/bin/python bench/bench_data.py [--rows N] [--repeat R] [--keep]

Builds a fresh database (an SQLite file in a temporary folder; with DATABASE_URL set to a
PostgreSQL server, a new database `weijian_bench_<pid>` created on that server and dropped at
the end — the configured database itself is never touched), generates a city with 10 counties
and enough institutions for N monthly values of 10 data elements over 120 months (2015–2024),
and times:

  * the CSV import of all N values through data.imports.import_file (checks, validation rule,
    bulk write, one audit row per value), then the same file again (nothing changes);
  * an analysis through data.aggregate — a rate (element 0 / element 1 × 100) for the city for
    2024, and its breakdown over the counties — against the same sums written by hand in SQL
    (cursor.execute, one GROUP BY), checking both give the same figures; on PostgreSQL after
    ANALYZE, so that both are planned on the table's statistics.

Prints the times and the ratio aggregate / hand SQL (median of R runs).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ELEMENTS = 10
MONTHS = [f"{y}{m:02d}" for y in range(2015, 2025) for m in range(1, 13)]
COUNTIES = 10
YEAR = "2024"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="data values to generate (default 1 000 000)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each analysis query (median is shown)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (and SQLite file)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="weijian-bench-"))
    os.environ["WEIJIAN_VAR_DIR"] = str(tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "weijian.settings"
    server = _throwaway_server_database() if os.environ.get("DATABASE_URL") else None
    if server is None:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    try:
        return run(args, tmp)
    finally:
        from django.db import connections

        connections.close_all()
        if server is not None:
            server.drop()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run(args, tmp: Path) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from weijian.accounts.models import Role, User
    from weijian.data import aggregate
    from weijian.data.imports import import_file
    from weijian.data.models import DataValue, ValidationRule
    from weijian.indicators.models import DataElement, Indicator

    call_command("migrate", verbosity=0)
    rows = args.rows
    units_needed = max(COUNTIES, math.ceil(rows / (ELEMENTS * len(MONTHS))))
    city, counties, institutions = _hierarchy(units_needed)
    elements = [
        DataElement.objects.create(code=f"E{i}", name=f"数据元{i}", unit="人", min_value=0)
        for i in range(ELEMENTS)
    ]
    rate = Indicator.objects.create(
        code="RATE", name="控制率", numerator="E0", denominator="E1", factor=100, unit="%"
    )
    ValidationRule.objects.create(
        code="E0_LE_E1", name="分子不大于分母", left="E0", operator="<=", right="E1"
    )
    admin = User.objects.create_user("bench", password="bench-pass-123", role=Role.ADMIN)

    engine = connection.vendor
    print(
        f"data benchmark — {engine}, {rows:,} values: {len(institutions):,} institutions in {COUNTIES} counties, "
        f"{ELEMENTS} elements, {len(MONTHS)} months"
    )

    t = time.perf_counter()
    data = _csv(institutions, rows)
    print(f"  generate CSV              {time.perf_counter() - t:8.2f} s   ({len(data) / 1e6:.1f} MB)")

    t = time.perf_counter()
    result = import_file(data, "bench.csv", admin)
    elapsed = time.perf_counter() - t
    assert result.status == "applied", result.errors[:5]
    assert DataValue.objects.count() == rows
    print(f"  import_file (new values)  {elapsed:8.2f} s   ({rows / elapsed:,.0f} rows/s)")

    t = time.perf_counter()
    again = import_file(data, "bench.csv", admin)
    elapsed = time.perf_counter() - t
    assert again.status == "applied" and again.changes["unchanged"] == rows
    print(f"  import_file (unchanged)   {elapsed:8.2f} s   ({rows / elapsed:,.0f} rows/s)")
    del data, result, again

    # The analysis: city rate for the year and the breakdown over counties. PostgreSQL plans
    # by table statistics, which a bulk load leaves empty: without ANALYZE both sides run on
    # guessed row counts and the ratio says nothing about either.
    if engine == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    figure = aggregate.value(rate, city, YEAR)
    breakdown = aggregate.breakdown(rate, city, YEAR)
    hand_total, hand_rows = _hand_sql(connection, elements[0].pk, elements[1].pk, city)
    assert figure.numerator == hand_total[elements[0].pk] and figure.denominator == hand_total[elements[1].pk]
    for row in breakdown:
        sums = hand_rows[row.org_unit.path]
        assert row.figure.numerator == sums[elements[0].pk] and row.figure.denominator == sums[elements[1].pk]

    timings = {
        "city rate, year": (
            lambda: aggregate.value(rate, city, YEAR),
            lambda: _hand_sql(connection, elements[0].pk, elements[1].pk, city, by_county=False),
        ),
        f"breakdown, {COUNTIES} counties": (
            lambda: aggregate.breakdown(rate, city, YEAR),
            lambda: _hand_sql(connection, elements[0].pk, elements[1].pk, city, by_total=False),
        ),
    }
    print(f"  analysis (median of {args.repeat})      aggregate    hand SQL    ratio")
    for label, (ours, hand) in timings.items():
        a, h = _median(ours, args.repeat), _median(hand, args.repeat)
        print(f"    {label:<26} {a * 1000:8.1f} ms {h * 1000:8.1f} ms   {a / h:5.2f}×")
    print(f"  city rate {YEAR}: {figure} ({figure.numerator} / {figure.denominator} × 100)")
    return 0


def _hierarchy(institutions: int):
    from weijian.orgs.models import Level, OrgUnit

    province = OrgUnit.objects.add_root({"code": "P", "name": "基准省", "level": Level.PROVINCE})
    city = OrgUnit.objects.add_child(province, {"code": "C", "name": "基准市", "level": Level.CITY})
    counties = []
    for i in range(COUNTIES):
        counties.append(
            OrgUnit.objects.add_child(
                city, {"code": f"C{i:02d}", "name": f"基准县{i}", "level": Level.COUNTY}
            )
        )
        city.refresh_from_db()
    # Institutions in bulk with their materialised paths (add_child would take a few queries each).
    units = []
    per_county = [
        institutions // COUNTIES + (1 if i < institutions % COUNTIES else 0) for i in range(COUNTIES)
    ]
    for county, count in zip(counties, per_county, strict=True):
        for j in range(count):
            units.append(
                OrgUnit(
                    code=f"{county.code}I{j:05d}",
                    name=f"{county.name}机构{j}",
                    level=Level.INSTITUTION,
                    path=OrgUnit._get_path(county.path, county.depth + 1, j + 1),
                    depth=county.depth + 1,
                    numchild=0,
                )
            )
        OrgUnit.objects.filter(pk=county.pk).update(numchild=count)
    OrgUnit.objects.bulk_create(units, batch_size=2000)
    city.refresh_from_db()
    return city, counties, units


def _csv(institutions, rows: int) -> bytes:
    """rows lines of 数据元编码,机构编码,期间,数值 — E0 (numerator) never above E1 (denominator).
    Newest months first, so that every unit has the analysed year even when rows are few."""
    rnd = random.Random(2024)
    lines = ["数据元编码,机构编码,期间,数值"]
    left = rows
    for month in reversed(MONTHS):
        for unit in institutions:
            if left <= 0:
                break
            den = rnd.randint(100, 1000)
            values = [den * rnd.randint(50, 95) // 100, den] + [
                rnd.randint(0, 5000) for _ in range(ELEMENTS - 2)
            ]
            take = min(left, ELEMENTS)
            lines.extend(f"E{i},{unit.code},{month},{values[i]}" for i in range(take))
            left -= take
    return ("\n".join(lines) + "\n").encode("utf-8")


def _hand_sql(connection, num_id: int, den_id: int, city, by_county: bool = True, by_total: bool = True):
    """The same sums in one hand-written GROUP BY each: element totals for the city and per county."""
    qn = connection.ops.quote_name
    # The periods of the year first (as a subquery), so that the (element, period) index serves.
    base = (
        "FROM data_datavalue dv JOIN orgs_orgunit ou ON ou.id = dv.org_unit_id "
        "WHERE dv.element_id IN (%s, %s) AND ou.path LIKE %s AND dv.period_id IN "
        f"(SELECT pe.id FROM data_period pe WHERE pe.start >= %s AND pe.{qn('end')} <= %s)"
    )
    params = [num_id, den_id, city.path + "%", f"{YEAR}-01-01", f"{YEAR}-12-31"]
    total: dict[int, Decimal] = {}
    rows: dict[str, dict[int, Decimal]] = {}
    with connection.cursor() as cursor:
        if by_total:
            cursor.execute(f"SELECT dv.element_id, SUM(dv.value) {base} GROUP BY dv.element_id", params)
            total = {e: Decimal(str(v)) for e, v in cursor.fetchall()}
        if by_county:
            n = len(city.path) + 4
            cursor.execute(
                f"SELECT SUBSTR(ou.path, 1, {n}), dv.element_id, SUM(dv.value) {base} "
                f"GROUP BY SUBSTR(ou.path, 1, {n}), dv.element_id",
                params,
            )
            for path, e, v in cursor.fetchall():
                rows.setdefault(path, {})[e] = Decimal(str(v))
    if by_total:
        rate = total[num_id] / total[den_id] * 100  # what the page shows, computed by hand
        assert rate > 0
    return total, rows


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


class _ServerDatabase:
    def __init__(self, admin_url: str, name: str):
        self.admin_url, self.name = admin_url, name

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            # A killed child's server session can outlive it for a moment: end it with the database.
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _throwaway_server_database() -> _ServerDatabase | None:
    """With DATABASE_URL on PostgreSQL: create a new database beside it for the run."""
    from urllib.parse import urlsplit, urlunsplit

    url = os.environ["DATABASE_URL"]
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("bench_data: DATABASE_URL must be PostgreSQL (or unset for SQLite)")
    import psycopg

    name = f"weijian_bench_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    return _ServerDatabase(admin_url, name)


if __name__ == "__main__":
    sys.exit(main())
