"""Province scale: build a province on PostgreSQL and time its pages and aggregations.

    .venv/bin/python bench/province.py build   --database-url postgres://…/weijian_bench_prov
    .venv/bin/python bench/province.py measure --database-url postgres://…/weijian_bench_prov [--repeat 20]

`build` migrates the given (empty or throwaway) database, loads the national catalogue and
writes a province of 10 cities, 100 counties and 5 000 institutions with monthly values of
36 data elements (those of the key indicators first) from 2017-01 to 2026-10: 5 000 × 118 × 36
≈ 21 million values, written with COPY (psycopg 3) after dropping the value table's secondary
indexes, which are rebuilt afterwards; then ANALYZE and `weijian analytics rebuild`.

`measure` times, for one user (the leader, who reads the whole province), the home page (as
served, its figures cached under the data version, and with the cache emptied before each
request, as the first request after a change finds it), the
analysis page of a rate for the province and for a county, and the API aggregation endpoint,
each through Django's test client (whole request: middleware, views, templates), and beside
them the baseline in the same run: the same city-wide year sums written by hand in SQL on the
raw values; and what a save adds, the refresh of the totals above one institution's value.
Prints p50 and p95 of each, in milliseconds.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CITIES = 10
COUNTIES_PER_CITY = 10
INSTITUTIONS_PER_COUNTY = 50
ELEMENTS = 36
MONTHS = [f"{y}{m:02d}" for y in range(2017, 2027) for m in range(1, 13)][:-2]  # to 2026-10


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "weijian.settings"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")  # the test client speaks plain HTTP
    import django

    django.setup()


def build(args) -> int:
    _setup(args.database_url)
    from django.core.management import CommandError, call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("province: the province is built on PostgreSQL (--database-url postgres://…)")
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("catalogue", "load", verbosity=0)
    from weijian.data.models import DataValue

    if DataValue.objects.exists():
        raise SystemExit("province: the database already holds values; give an empty database")
    institutions = _hierarchy()
    elements = _elements()
    period_ids = _periods()
    _users()
    print(f"hierarchy, catalogue, periods: {time.perf_counter() - t0:6.1f} s")

    t = time.perf_counter()
    rows = _copy_values(connection, institutions, elements, period_ids)
    print(f"COPY {rows:,} values:          {time.perf_counter() - t:6.1f} s")
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"ANALYZE:                      {time.perf_counter() - t:6.1f} s")
    t = time.perf_counter()
    try:
        call_command("analytics", "rebuild", verbosity=0)
        print(f"analytics rebuild:            {time.perf_counter() - t:6.1f} s")
    except CommandError as exc:  # an older tree without the analytics app
        print(f"analytics rebuild skipped: {exc}")
    print(f"built in {time.perf_counter() - t0:.0f} s")
    return 0


def _hierarchy():
    from weijian.orgs.models import InstitutionType, Level, OrgUnit

    province = OrgUnit.objects.add_root({"code": "P00", "name": "基准省", "level": Level.PROVINCE})
    units, institutions = [], []
    types = [InstitutionType.GENERAL_HOSPITAL, InstitutionType.TOWNSHIP_HC, InstitutionType.COMMUNITY_HC]
    for c in range(CITIES):
        city_path = OrgUnit._get_path(province.path, 2, c + 1)
        units.append(
            OrgUnit(
                code=f"C{c:02d}",
                name=f"基准{c + 1}市",
                level=Level.CITY,
                path=city_path,
                depth=2,
                numchild=COUNTIES_PER_CITY,
            )
        )
        for k in range(COUNTIES_PER_CITY):
            county_path = OrgUnit._get_path(city_path, 3, k + 1)
            code = f"C{c:02d}K{k:02d}"
            units.append(
                OrgUnit(
                    code=code,
                    name=f"基准{c + 1}市{k + 1}县",
                    level=Level.COUNTY,
                    path=county_path,
                    depth=3,
                    numchild=INSTITUTIONS_PER_COUNTY,
                )
            )
            for i in range(INSTITUTIONS_PER_COUNTY):
                inst = OrgUnit(
                    code=f"{code}I{i:03d}",
                    name=f"基准{c + 1}市{k + 1}县机构{i + 1}",
                    level=Level.INSTITUTION,
                    inst_type=types[i % len(types)],
                    path=OrgUnit._get_path(county_path, 4, i + 1),
                    depth=4,
                    numchild=0,
                )
                units.append(inst)
                institutions.append(inst)
    OrgUnit.objects.bulk_create(units, batch_size=2000)
    OrgUnit.objects.filter(pk=province.pk).update(numchild=CITIES)
    return list(OrgUnit.objects.filter(depth=4).order_by("path").values_list("pk", flat=True))


def _elements():
    """The elements of the key indicators first, then others, 36 in all: [(id, aggregation)]."""
    from weijian.indicators.expressions import parse
    from weijian.indicators.models import DataElement, Indicator

    codes: list[str] = []
    for ind in Indicator.objects.filter(is_key=True).order_by("code"):
        for side in (ind.numerator, ind.denominator):
            if side.strip():
                codes += sorted(parse(side).codes - set(codes))
    chosen = list(DataElement.objects.filter(code__in=codes))
    rest = DataElement.objects.exclude(code__in=codes).order_by("code")[: max(0, ELEMENTS - len(chosen))]
    chosen = (chosen + list(rest))[:ELEMENTS]
    return [(e.pk, e.code) for e in chosen]


def _periods() -> dict[str, int]:
    from weijian.data.periods import get_period

    return {m: get_period(m).pk for m in MONTHS}


def _users() -> None:
    from weijian.accounts.models import Role, User

    User.objects.create_user("leader", password="bench-pass-123", role=Role.LEADER)


def _copy_values(connection, institutions, elements, period_ids) -> int:
    """COPY every value, the secondary indexes of the value table dropped and rebuilt after."""
    rnd = random.Random(2026)
    # Each element has a size; numerators (the first of each key indicator) stay below their
    # denominators because every value is drawn below its element's size and sizes grow.
    sizes = [200 + 150 * i for i in range(len(elements))]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'data_datavalue' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p')"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'data_datavalue'::regclass AND contype IN ('u', 'f')"
        )
        constraints = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE data_datavalue DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    raw = connection.connection  # psycopg 3
    rows = 0
    stamp = "2026-11-01 00:00:00+00"
    with raw.cursor() as cur:
        with cur.copy(
            "COPY data_datavalue (element_id, org_unit_id, period_id, value, comment, created, updated) "
            "FROM STDIN"
        ) as copy:
            for month in MONTHS:
                pid = period_ids[month]
                buf = io.StringIO()
                for ou in institutions:
                    for (eid, _code), size in zip(elements, sizes, strict=True):
                        buf.write(f"{eid}\t{ou}\t{pid}\t{rnd.randint(size // 2, size)}\t\t{stamp}\t{stamp}\n")
                rows += len(institutions) * len(elements)
                copy.write(buf.getvalue())
    raw.commit() if not raw.autocommit else None
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE data_datavalue ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'data_datavalue'")
        present = {r[0] for r in cursor.fetchall()}
        for name, definition in indexes:
            if name not in present:
                cursor.execute(definition)
    return rows


# --- measuring --------------------------------------------------------------------------------


def measure(args) -> int:
    _setup(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from weijian.accounts.models import User
    from weijian.data.models import DataValue
    from weijian.indicators.models import Indicator
    from weijian.orgs.models import OrgUnit

    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username="leader"))
    province = OrgUnit.objects.get(depth=1)
    county = OrgUnit.objects.filter(depth=3).order_by("path").first()
    rate = Indicator.objects.filter(is_key=True).exclude(denominator="").order_by("code").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'data_datavalue'")
        estimate = cursor.fetchone()[0]
    print(
        f"province benchmark — PostgreSQL, ~{estimate:,} values, {OrgUnit.objects.count():,} org units; "
        f"rate {rate.code}; {args.repeat} requests each, one user"
    )
    year = "2025"
    pages = {
        "home": "/",
        "analysis, province": f"/analysis/?target={rate.code}&org_unit={province.code}&period={year}",
        "analysis, county": f"/analysis/?target={rate.code}&org_unit={county.code}&period={year}",
        "API aggregation": f"/api/analytics/?target={rate.code}&org_unit={province.code}&period={year}",
    }
    num, den = _sides(rate)

    def hand():
        _hand_sql(connection, num, den, province, year)

    print(f"  {'':<24}{'p50':>9}{'p95':>9}")
    results = {"raw SQL (baseline)": _times(hand, args.repeat)}
    from django.core.cache import cache

    for label, url in pages.items():

        def get(url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        results[label] = _times(get, args.repeat)
        if label == "home":
            # The home page keeps its figures under the data version: the first request after
            # any change computes them. This row times that request every time.

            def cold(url=url):
                cache.clear()
                get(url)

            results["home, figures computed"] = _times(cold, args.repeat)
    # What a save adds: the refresh of the totals above one institution's value of one month.
    from weijian.analytics import services

    saved = DataValue.objects.filter(org_unit__depth=4, period__code=f"{year}05").first()

    def refresh():
        services.refresh([saved.element_id], [saved.period_id], [saved.org_unit_id])

    results["totals refresh, 1 value"] = _times(refresh, args.repeat)
    for label, times in results.items():
        print(f"  {label:<24}{_pct(times, 50):8.1f} {_pct(times, 95):8.1f}  ms")
    return 0


def _sides(rate):
    from weijian.indicators.expressions import parse
    from weijian.indicators.models import DataElement

    num = list(DataElement.objects.filter(code__in=parse(rate.numerator).codes).values_list("pk", flat=True))
    den = list(
        DataElement.objects.filter(code__in=parse(rate.denominator).codes).values_list("pk", flat=True)
    )
    return num, den


def _hand_sql(connection, num, den, org, year):
    """The city-wide year sums of the rate's elements, by hand on the raw values."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT dv.element_id, SUM(dv.value) FROM data_datavalue dv "
            "JOIN orgs_orgunit ou ON ou.id = dv.org_unit_id "
            "WHERE dv.element_id = ANY(%s) AND ou.path LIKE %s AND dv.period_id IN "
            '(SELECT id FROM data_period WHERE start >= %s AND "end" <= %s) GROUP BY dv.element_id',
            [num + den, org.path + "%", f"{year}-01-01", f"{year}-12-31"],
        )
        return cursor.fetchall()


def _times(fn, repeat: int) -> list[float]:
    fn()  # warm up
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def _pct(times: list[float], p: int) -> float:
    if len(times) == 1:
        return times[0]
    return statistics.quantiles(times, n=100, method="inclusive")[p - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("build", "measure"):
        p = sub.add_parser(name)
        p.add_argument("--database-url", required=True)
        p.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    return build(args) if args.command == "build" else measure(args)


if __name__ == "__main__":
    sys.exit(main())
