"""Benchmark: the home page, the analysis page and the API aggregation on gunicorn, at 1, 10
and 50 concurrent clients, with a baseline in the same run.

    .venv/bin/python bench/bench_pages.py [--database-url URL] [--requests N] [--workers W]

Without --database-url it builds the demo city in a throwaway SQLite file (migrate, catalogue,
demo); with one (e.g. the province of bench/province.py) it uses that database as it is.
It starts gunicorn (W sync workers, default 2 × cores + 1) on a free local port, logs in as the
leader (who reads the whole area) through a session made for the run, and for each page and
each level of concurrency sends N requests (default 200) from that many client threads, each
thread on its own keep-alive connection. The baseline is the login page (logged out): the
same server and middleware, without figures. Prints p50 and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="use this database (default: a fresh demo in SQLite)")
    parser.add_argument("--requests", type=int, default=200, help="requests per page and concurrency")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--clients", default="1,10,50")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="weijian-pages-"))
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="weijian.settings",
        WEIJIAN_VAR_DIR=str(tmp),
        DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'pages.sqlite3'}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_COOKIES="0",  # the settings' name for both cookie flags (plain HTTP here)
        DEBUG="0",
    )
    os.environ.update(env)
    try:
        return run(args, env, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args, env: dict, tmp: Path) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from weijian.accounts.models import User
    from weijian.indicators.models import Indicator
    from weijian.web import dashboard

    if not args.database_url:
        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("catalogue", "load", verbosity=0)
        from weijian.demo.loader import load_demo

        load_demo()
        print(f"demo built in {time.perf_counter() - t:.0f} s")
    leader = User.objects.get(username="leader")
    session = SessionStore()
    session[SESSION_KEY] = str(leader.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = leader.get_session_auth_hash()
    session.create()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    org = dashboard.home_org(leader)
    rate = Indicator.objects.filter(is_key=True).exclude(denominator="").order_by("category", "code").first()
    year = dashboard.latest_complete_year(org)
    pages = {
        "baseline: login page": "/accounts/login/",
        "home": "/",
        "analysis": f"/analysis/?target={rate.code}&org_unit={org.code}&period={year}",
        "API aggregation": f"/api/analytics/?target={rate.code}&org_unit={org.code}&period={year}",
    }

    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "weijian.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--preload",  # import the project once, before the workers fork
            "--timeout",
            "300",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        _wait(port)
        levels = [int(c) for c in args.clients.split(",")]
        print(
            f"pages benchmark — {django.db.connection.vendor}, gunicorn {args.workers} workers, "
            f"{args.requests} requests per cell, leader's {org.name}, {year}"
        )
        print(f"  {'':<24}" + "".join(f"{f'{c} client' + ('s' if c > 1 else ''):>20}" for c in levels))
        print(f"  {'':<24}" + "".join(f"{'p50':>10}{'p95':>10}" for _ in levels))
        for label, url in pages.items():
            cells = []
            for clients in levels:
                jar = "" if label.startswith("baseline") else cookie  # the login page, logged out
                _load(port, url, jar, clients, min(clients * 2, 20))  # warm the workers
                times = _load(port, url, jar, clients, max(args.requests, clients))
                cells.append(f"{_pct(times, 50):10.0f}{_pct(times, 95):10.0f}")
            print(f"  {label:<24}" + "".join(cells) + "  ms")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return 0


def _load(port: int, url: str, cookie: str, clients: int, total: int) -> list[float]:
    """`total` GETs of `url` from `clients` threads; the time of each, in ms."""
    times: list[float] = []
    lock = threading.Lock()
    left = [total]
    failures: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if left[0] <= 0:
                    break
                left[0] -= 1
            t = time.perf_counter()
            headers = {"Host": "127.0.0.1", **({"Cookie": cookie} if cookie else {})}
            conn.request("GET", url, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - t) * 1000
            if response.status != 200:
                failures.append(f"{url}: {response.status}")
            with lock:
                times.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if failures:
        raise SystemExit(f"bench_pages: {len(failures)} failed requests, first: {failures[0]}")
    return times


def _pct(times: list[float], p: int) -> float:
    if len(times) < 2:
        return times[0]
    return statistics.quantiles(times, n=100, method="inclusive")[p - 1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int) -> None:
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("bench_pages: gunicorn did not start")


if __name__ == "__main__":
    sys.exit(main())
