"""Bulk writes for many rows at once: one parameterised statement run with executemany.

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
