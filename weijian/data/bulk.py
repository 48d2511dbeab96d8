"""Bulk writes for many rows at once: one parameterised statement run with executemany; and
the write locks every writer of data values takes (`lock_units`).

Django's bulk_create compiles every value of every row in Python, which dominates large
imports (and the demo load); callers pass values already adapted by the database backend
(`connection.ops.adapt_*`), as the ORM would have done."""

from __future__ import annotations

from django.db import connection

_BATCH = 20_000


def insert_many(model, fields: list[str], rows: list[tuple]) -> None:
    """INSERT `rows` (tuples in the order of `fields`, model field names) into the model's table."""
    qn = connection.ops.quote_name
    meta = model._meta
    columns = ", ".join(qn(meta.get_field(f).column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    execute_many(f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({placeholders})", rows)


def execute_many(sql: str, rows: list[tuple]) -> None:
    with connection.cursor() as cursor:
        for i in range(0, len(rows), _BATCH):
            cursor.executemany(sql, rows[i : i + _BATCH])


_LOCK_BUCKETS = 64  # units share this many write locks
_LOCK_SPACE = 72_011  # first key of pg_advisory_xact_lock(int, int) for data values


def lock_units(unit_ids) -> None:
    """Take the write locks of the data values of these units (one lock per unit id mod 64),
    in ascending order, until the transaction ends. Every writer of data values (form, API,
    import) takes them before it reads the old values it audits, so concurrent writes to the
    same values queue instead of interleaving, and — the order being fixed — never deadlock.
    On SQLite, which has one write lock for the whole file, a statement that writes nothing
    takes that lock now, so the reads that follow are not overtaken by another writer."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE data_period SET code = code WHERE 0 = 1")
        return
    if connection.vendor != "postgresql":
        return
    buckets = sorted({int(u) % _LOCK_BUCKETS for u in unit_ids})
    with connection.cursor() as cursor:
        for bucket in buckets:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, bucket])
