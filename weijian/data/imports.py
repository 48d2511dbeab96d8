"""Importing data values from files: our CSV, our Excel template (or an Excel sheet with
the CSV columns), DHIS2 dataValueSets JSON and DHIS2 CSV; text in UTF-8 (with or without
BOM), GBK/GB18030 or Big5 (decoded by `clean`).

An import streams, so its memory does not grow with the file:

1. read: the file is read row by row (CSV and DHIS2 CSV through a text stream, Excel through
   openpyxl's read-only mode); codes are resolved from dictionaries of the catalogue and the
   hierarchy, values by `clean.parse_decimal`; the rows that resolve go to a staging table
   (PostgreSQL: COPY; SQLite: executemany), the others to a bounded problem log.
2. check: the staging table is read back ordered by unit and period, in chunks that never split
   a unit's period, and each chunk goes through the checks of web entry (`entry.check`: scope,
   period, min/max, duplicates, validation rules against the stored values).
3. write: in one transaction, with the units' write locks taken in a fixed order, the audit
   rows (old value read inside the transaction) and the values are merged from the staging table
   in SQL, and the job is marked applied in the same transaction. A crash before the commit
   leaves the values untouched and the job "running"; `recover_interrupted` marks it
   "interrupted" (its process is gone).

Whole or nothing by default; with `partial=True` the valid rows are applied. The answer lists
the first problems in full and counts the rest by reason. Every import is an ImportJob,
whatever its outcome; big uploads run as background jobs (`tasks.start_import`).
"""

from __future__ import annotations

import csv
import gc
import io
import json
import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path, PurePath

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from weijian.accounts.models import AuditEvent, record
from weijian.indicators.models import DataElement
from weijian.orgs.models import OrgUnit

from . import bulk, clean, periods
from .conflicts import read_generated_at
from .entry import Columns, Pending, Problem, check
from .models import DataValue, DataValueAudit, ImportJob, Period
from .problems import ProblemLog
from .signals import notify_values_changed

__all__ = [
    "ImportResult",
    "Problem",
    "import_file",
    "run_job",
    "recover_interrupted",
    "FORMAT_LABELS",
]

log = logging.getLogger(__name__)

FORMAT_LABELS = {
    "csv": "CSV",
    "xlsx": "Excel 模板",
    "xlsx-table": "Excel 表格",
    "dhis2-json": "DHIS2 JSON",
    "dhis2-csv": "DHIS2 CSV",
}

# Header names (lower-cased, spaces removed) → field. Our Chinese names, our English names,
# and DHIS2's CSV names (which are the English ones in lower case).
_HEADERS = {
    "数据元编码": "element",
    "数据元代码": "element",
    "dataelement": "element",
    "de": "element",
    "机构编码": "org_unit",
    "机构代码": "org_unit",
    "orgunit": "org_unit",
    "ou": "org_unit",
    "期间": "period",
    "期间编码": "period",
    "period": "period",
    "pe": "period",
    "数值": "value",
    "值": "value",
    "value": "value",
    "备注": "comment",
    "comment": "comment",
    "categoryoptioncombo": "coc",
    "attributeoptioncombo": "aoc",
}
_REQUIRED = ("element", "org_unit", "period", "value")
_OUR_NAMES = {"element": "数据元编码", "org_unit": "机构编码", "period": "期间", "value": "数值"}
# DHIS2 CSV column order when the file has no header.
_DHIS2_POSITIONS = {"element": 0, "period": 1, "org_unit": 2, "coc": 3, "aoc": 4, "value": 5, "comment": 8}
_DHIS2_DEFAULT_COMBOS = {"", "default", "hllvx50cxc0"}

TEMPLATE_PERIOD_LABEL = "期间编码"
TEMPLATE_CODES_LABEL = "数据元编码"
TEMPLATE_ORG_LABEL = "机构编码"

_STAGE_BATCH = 20_000  # rows per executemany / COPY flush
_CHECK_CHUNK = 20_000  # rows per `entry.check` call
_ANALYZE_AFTER = 10_000  # rows written after which PostgreSQL's statistics are refreshed
_RETRIES = 3


class FileProblem(Exception):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class ImportResult:
    status: str
    rows_total: int
    rows_applied: int
    errors: list[Problem]  # the first problems in full (`problems.LIMIT`)
    job: ImportJob
    file_name: str = ""
    file_format: str = ""
    changes: dict = field(default_factory=dict)
    error_counts: dict = field(default_factory=dict)  # reason → number of problems
    rows_rejected: int = 0

    @property
    def ok(self) -> bool:
        return self.status in (ImportJob.Status.APPLIED, ImportJob.Status.PARTIAL)

    @property
    def message(self) -> str:
        return self.job.message


@dataclass(slots=True)
class _Raw:
    row: int
    element: str
    org_unit: str
    period: object
    value: object
    comment: str | None = None
    value_column: str | None = None
    combo: str = ""


@dataclass
class _Source:
    """A file being read: its format, the names of its columns, and an iterator of rows."""

    format: str
    columns: Columns
    rows: Iterator[_Raw]
    row_word: str = "行"
    since: datetime | None = None  # when an Excel template was generated (data.conflicts)


# --- entry points ---------------------------------------------------------------------------


def import_file(
    data: bytes | str | Path,
    file_name: str,
    user,
    *,
    partial: bool = False,
    system: bool = False,
    progress: Callable[[ImportJob], None] | None = None,
) -> ImportResult:
    """Import one file (bytes, or the path of a file on disk) for `user` (scope-checked) now,
    in this process, and record it as an ImportJob.

    `system=True` (the command line without --user) imports with no scope limit and no user.
    `progress` is called with the job as it advances (the command line's progress bar)."""
    name = PurePath(file_name or "未命名文件").name
    job = ImportJob.objects.create(
        file_name=name[:255],
        file_format="",
        user=_actor(user),
        status=ImportJob.Status.RUNNING,
        partial=partial,
        system=system,
        heartbeat=timezone.now(),
        worker=_worker(),
    )
    return run_job(job, data, user=user, progress=progress)


def run_queued(job_id: int, progress: Callable[[ImportJob], None] | None = None) -> ImportJob | None:
    """Run a queued job (the worker's task body). A job already taken or finished is left."""
    taken = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, heartbeat=timezone.now(), worker=_worker()
    )
    if not taken:
        return None
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    path = Path(job.upload)
    try:
        if job.user is None and not job.system:
            _finish_failed(job, "上传文件的用户已不存在，未导入")
        elif not path.is_file():
            _finish_failed(job, "上传的文件已不在服务器上，未导入；请重新上传")
        else:
            run_job(job, path, user=job.user, progress=progress)
    finally:
        path.unlink(missing_ok=True)
    job.refresh_from_db()
    return job


def recover_interrupted(now=None) -> int:
    """Mark "interrupted" the jobs left running by a process that died (kill -9, a restart):
    on this host when the process is gone, anywhere when the heartbeat stopped. Their values
    were never committed, so the record says so. Returns how many were marked."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=4 * ImportJob.HEARTBEAT)
    host = socket.gethostname()
    marked = 0
    for job in ImportJob.objects.filter(status=ImportJob.Status.RUNNING).only("pk", "heartbeat", "worker"):
        worker_host, _, pid = job.worker.rpartition(":")
        dead_here = worker_host == host and pid.isdigit() and not _alive(int(pid))
        if dead_here or job.heartbeat is None or job.heartbeat < stale:
            marked += ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
                status=ImportJob.Status.INTERRUPTED,
                finished=now,
                stage="",
                message="导入在完成前中止（导入进程已退出），没有改动任何数据；请重新导入。",
            )
    return marked


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


# --- the run --------------------------------------------------------------------------------


class _Run:
    """One import in progress: the job, the problem log, the resolution caches."""

    def __init__(self, job: ImportJob, user, progress):
        self.job = job
        self.user = user
        self.partial = job.partial
        self.system = job.system
        self.name = job.file_name
        self.progress = progress
        self.problems = ProblemLog()
        self.rows_total = 0
        self.staged = 0
        self.elements = {e.code: e for e in DataElement.objects.all()}
        self.elements_by_id = {e.pk: e for e in self.elements.values()}
        # The whole hierarchy in two dictionaries (a province has some 10 000 units).
        self.units: dict[str, OrgUnit] = {
            u.code: u for u in OrgUnit.objects.only("pk", "code", "name", "path", "depth", "level")
        }
        self.units_by_id: dict[int, OrgUnit] = {u.pk: u for u in self.units.values()}
        self.writable: dict[int, bool] = {}
        self.period_keys: dict[str, int] = {}  # canonical code → key in the staging table
        self.period_codes: list[str] = []
        self.value_columns: dict[str, int] = {}  # Excel template: column label → key
        self.value_column_names: list[str] = []
        self._beat = timezone.now()

    def beat(self, *, force: bool = False, **fields) -> None:
        """Save progress (and the heartbeat) every few seconds, in its own autocommit write."""
        now = timezone.now()
        if not force and (now - self._beat).total_seconds() < 1:
            return
        self._beat = now
        fields["heartbeat"] = now
        for k, v in fields.items():
            setattr(self.job, k, v)
        ImportJob.objects.filter(pk=self.job.pk).update(**fields)
        if self.progress:
            self.progress(self.job)


def run_job(job: ImportJob, data, *, user, progress=None) -> ImportResult:
    """Read, check and write one import for its job; the job ends with a true status."""
    run = _Run(job, user, progress)
    name = job.file_name
    if user is None and not job.system:
        return _finish(run, fmt="", refused=[Problem(None, "", "需要登录后才能导入数据", name)])
    stage = _Stage()
    try:
        with _without_cycle_collection(), _opened(data) as (stream, size):
            run.beat(force=True, bytes_total=size, stage="reading")
            try:
                source = _open_source(stream, name)
            except FileProblem as exc:
                return _finish(run, fmt="", refused=[Problem(None, "", str(exc), name)])
            run.job.file_format = source.format
            stage.create()
            _read_into_stage(run, source, stage, stream)
            if run.rows_total == 0 and not run.problems:
                return _finish(run, fmt=source.format, refused=[Problem(None, "", "文件中没有数据行", name)])
            run.beat(force=True, stage="checking", rows_total=run.rows_total, rows_read=run.rows_total)
            stage.index()
            good = _check_stage(run, source, stage)
            if not good or (run.problems and not run.partial):
                return _finish(run, fmt=source.format)
            run.beat(force=True, stage="writing")
            return _write(run, source, stage, good)
    except Exception:
        log.exception("import %s failed", job.pk)
        return _finish_failed(job, "导入时服务器出错，没有改动任何数据；已记录，请稍后重试或联系管理员")
    finally:
        stage.drop()


@contextmanager
def _opened(data):
    """A binary stream and its size, for bytes or a path."""
    if isinstance(data, bytes | bytearray):
        yield io.BytesIO(data), len(data)
        return
    path = Path(data)
    with open(path, "rb") as stream:
        yield stream, path.stat().st_size


@contextmanager
def _without_cycle_collection():
    """A big file makes many small objects; the cyclic garbage collector would scan them again
    and again. Reference counting still frees everything; cycles are collected afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_into_stage(run: _Run, source: _Source, stage: _Stage, stream) -> None:
    cols, word, name = source.columns, source.row_word, run.name
    buffer: list[tuple] = []
    for r in source.rows:
        run.rows_total += 1
        refused = _resolve(run, r, cols, word)
        if isinstance(refused, list):
            run.problems.extend(refused)
        else:
            buffer.append(refused)
            if len(buffer) >= _STAGE_BATCH:
                stage.write(buffer)
                run.staged += len(buffer)
                buffer = []
        if run.rows_total % 5000 == 0:
            run.beat(rows_read=run.rows_total, bytes_read=_position(stream))
    if buffer:
        stage.write(buffer)
        run.staged += len(buffer)
    del name


def _position(stream) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0


def _resolve(run: _Run, r: _Raw, cols: Columns, word: str) -> tuple | list[Problem]:
    """A staging row (row, element id, unit id, period key, value, comment, column key), or the
    row's problems."""
    name = run.name
    problems: list[Problem] = []
    element_code, unit_code = clean.code(r.element), clean.code(r.org_unit)
    element = run.elements.get(element_code)
    if not element_code:
        problems.append(Problem(r.row, cols.element, "数据元编码为空", name, word))
    elif element is None:
        problems.append(Problem(r.row, cols.element, f"数据元编码“{element_code}”不存在", name, word))
    unit = run.units.get(unit_code)
    if not unit_code:
        problems.append(Problem(r.row, cols.org_unit, "机构编码为空", name, word))
    elif unit is None:
        problems.append(
            Problem(r.row, cols.org_unit, f"机构编码“{unit_code}”不存在或不在您的填报范围内", name, word)
        )
    period_key = _period_key(run, r.period)
    if period_key is None:
        problems.append(Problem(r.row, cols.period, "期间为空", name, word))
    if r.combo.lower() not in _DHIS2_DEFAULT_COMBOS:
        # We keep no category disaggregation; a value split by sex or age would be half a
        # figure, so it is refused rather than stored as if it were the total.
        problems.append(
            Problem(
                r.row,
                "categoryoptioncombo",
                f"分类组合“{r.combo}”不受支持：本系统只接收合计值（default）",
                name,
                word,
            )
        )
    try:
        value = clean.parse_decimal(r.value, percent=clean.is_percent(element))
    except clean.NumberError as exc:
        problems.append(Problem(r.row, r.value_column or cols.value, str(exc), name, word))
        value = None
    if problems:
        return problems
    column_key = -1
    if r.value_column:
        column_key = run.value_columns.get(r.value_column, -1)
        if column_key < 0:
            column_key = run.value_columns[r.value_column] = len(run.value_column_names)
            run.value_column_names.append(r.value_column)
    comment = (r.comment or "")[:200] or None
    return (r.row, element.pk, unit.pk, period_key, value, comment, column_key)


def _period_key(run: _Run, raw) -> int | None:
    """Periods are checked in `entry.check`; here each distinct text gets a key."""
    key = run.period_keys.get(raw) if isinstance(raw, str) else None
    if key is not None:
        return key
    text = clean.period_code(raw)
    if not text:
        return None
    try:
        text = periods.parse(text).code
    except periods.PeriodError:
        pass  # kept as typed: `check` names the problem
    key = run.period_keys.get(text)
    if key is None:
        key = run.period_keys[text] = len(run.period_codes)
        run.period_codes.append(text)
    if isinstance(raw, str):
        run.period_keys[raw] = key  # the text as typed, for the next rows
    return key


def _check_stage(run: _Run, source: _Source, stage: _Stage) -> int:
    """Run `entry.check` over the staged rows, a unit's periods at a time; mark refused rows.
    Returns the number of rows that may be written."""
    good = 0
    checked = 0
    for chunk in stage.chunks(_CHECK_CHUNK):
        pending = [
            Pending(
                row,
                run.elements_by_id[e],
                run.units_by_id[o],
                run.period_codes[p],
                value,
                comment,
                run.value_column_names[c] if c >= 0 else None,
            )
            for row, e, o, p, value, comment, c in chunk
        ]
        result = check(
            pending,
            run.user,
            system=run.system,
            partial=run.partial,
            columns=source.columns,
            file=run.name,
            row_word=source.row_word,
            since=source.since,
        )
        if result.problems:
            run.problems.extend(result.problems)
            refused = {p.row for p in result.problems}
            stage.refuse([(o, p, e, row) for row, e, o, p, *_rest in chunk if row in refused])
        good += len(result.good)
        checked += len(chunk)
        run.beat(rows_checked=checked)
    return good


def _write(run: _Run, source: _Source, stage: _Stage, good: int) -> ImportResult:
    """Merge the good staged rows into the values, with their audit rows, and mark the job
    applied, all in one transaction; retried when PostgreSQL breaks a deadlock."""
    for attempt in range(_RETRIES):
        try:
            with transaction.atomic():
                bulk.lock_units(stage.units())
                period_ids = _ensure_periods(run.period_codes, stage)
                changes = stage.merge(run, period_ids)
                result = _finish(run, fmt=source.format, applied=good, changes=changes)
                ids = stage.distinct_ids(period_ids)
                notify_values_changed(*ids)
            break
        except OperationalError as exc:
            if attempt + 1 == _RETRIES or not _is_conflict(exc):
                raise
            log.warning("import %s: retrying after %s", run.job.pk, exc)
    if connection.vendor == "postgresql" and good >= _ANALYZE_AFTER:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {DataValue._meta.db_table}")
            cursor.execute(f"ANALYZE {DataValueAudit._meta.db_table}")
    return result


def _is_conflict(exc: Exception) -> bool:
    text = str(exc).lower()
    return "deadlock" in text or "could not serialize" in text or "database is locked" in text


def _ensure_periods(codes: list[str], stage: _Stage) -> dict[int, int]:
    """Period ids for the keys of the staging table (periods are created on first use)."""
    used = stage.period_keys_used()
    wanted = {codes[k] for k in used}
    parsed = [periods.parse(c) for c in wanted]
    Period.objects.bulk_create(
        [Period(code=p.code, type=p.type, start=p.start, end=p.end) for p in parsed], ignore_conflicts=True
    )
    ids = dict(Period.objects.filter(code__in=wanted).values_list("code", "pk"))
    return {k: ids[codes[k]] for k in used}


def _finish(
    run: _Run,
    *,
    fmt: str,
    refused: list[Problem] | None = None,
    applied: int = 0,
    changes: dict | None = None,
) -> ImportResult:
    """Give the job its final status and counts (inside the write transaction when applied)."""
    if refused:
        run.problems.extend(refused)
    job, problems = run.job, run.problems
    problems.shown.sort(key=lambda p: p.row or 0)
    if applied:
        status = ImportJob.Status.PARTIAL if problems else ImportJob.Status.APPLIED
    else:
        status = ImportJob.Status.REJECTED
    job.status = status
    job.file_format = fmt
    job.rows_total = run.rows_total
    job.rows_read = run.rows_total
    job.rows_applied = applied
    job.rows_rejected = problems.rows
    job.errors = [p.as_dict() for p in problems.shown]
    job.error_counts = problems.summary()
    job.changes = changes or {}
    job.stage = ""
    job.finished = timezone.now()
    job.message = _message(job, problems)[:500]
    job.save()
    record(_actor(run.user), AuditEvent.Action.IMPORT, job, detail=job.message)
    return ImportResult(
        status,
        run.rows_total,
        applied,
        list(problems.shown),
        job,
        job.file_name,
        fmt,
        job.changes,
        job.error_counts,
        problems.rows,
    )


def _finish_failed(job: ImportJob, reason: str) -> ImportResult:
    job.status = ImportJob.Status.FAILED
    job.rows_applied = 0
    job.stage = ""
    job.finished = timezone.now()
    job.message = f"文件“{job.file_name}”未导入：{reason}"[:500]
    job.save()
    return ImportResult(job.status, job.rows_total, 0, [], job, job.file_name, job.file_format)


def _message(job: ImportJob, problems: ProblemLog) -> str:
    name = f"文件“{job.file_name}”"
    more = f"{problems.more_text()}。" if problems.hidden else ""
    if job.status == ImportJob.Status.APPLIED:
        return f"{name}已导入：共 {job.rows_total} 行，全部通过校验。"
    if job.status == ImportJob.Status.PARTIAL:
        return (
            f"{name}部分导入：共 {job.rows_total} 行，导入 {job.rows_applied} 行，"
            f"{problems.rows} 行有错误未导入。{more}"
        )
    if job.rows_total == 0 and problems.shown:
        return f"{name}未导入：{problems.shown[0].reason}"
    return f"{name}未导入：共 {job.rows_total} 行，{problems.rows} 行有错误，所有数据均未改动。{more}"


def _actor(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# --- the staging table ----------------------------------------------------------------------


class _Stage:
    """A temporary table of resolved rows (per connection, dropped at the end)."""

    columns = ("row_no", "element_id", "org_unit_id", "period_key", "value", "comment", "column_key")

    def __init__(self):
        self.table = f"import_stage_{uuid.uuid4().hex[:12]}"
        self.periods = f"{self.table}_p"
        self.created = False

    def create(self) -> None:
        numeric = "numeric(20, 4)" if connection.vendor == "postgresql" else "decimal"
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} (row_no bigint NOT NULL, element_id bigint NOT NULL, "
                f"org_unit_id bigint NOT NULL, period_key integer NOT NULL, value {numeric} NOT NULL, "
                f"comment text, column_key integer NOT NULL, ok boolean NOT NULL DEFAULT TRUE)"
            )
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.periods} (period_key integer PRIMARY KEY, period_id bigint)"
            )
        self.created = True

    def index(self) -> None:
        """After loading: the order in which `chunks` reads (one sort, not one per chunk)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE INDEX {self.table}_k ON {self.table} (org_unit_id, period_key, element_id, row_no)"
            )
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {self.table}")

    def drop(self) -> None:
        if not self.created:
            return
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
                cursor.execute(f"DROP TABLE IF EXISTS {self.periods}")
        except Exception:  # noqa: BLE001 - the connection may be gone; temp tables go with it
            log.warning("could not drop %s", self.table)
        self.created = False

    def write(self, rows: list[tuple]) -> None:
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            with connection.connection.cursor() as cursor:
                with cursor.copy(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        adapt = connection.ops.adapt_decimalfield_value
        bulk.execute_many(
            f"INSERT INTO {self.table} ({', '.join(self.columns)}) VALUES ({', '.join(['%s'] * len(self.columns))})",
            [(r[0], r[1], r[2], r[3], adapt(r[4]), r[5], r[6]) for r in rows],
        )

    def chunks(self, size: int) -> Iterator[list[tuple]]:
        """Rows ordered by unit, period, element and row, in chunks of about `size` that
        never split one unit's period (keyset pagination: bounded memory on both databases)."""
        cols = ", ".join(self.columns)
        order = "org_unit_id, period_key, element_id, row_no"
        last: tuple[int, int] | None = None
        while True:
            with connection.cursor() as cursor:
                if last is None:
                    cursor.execute(f"SELECT {cols} FROM {self.table} ORDER BY {order} LIMIT %s", [size])
                else:
                    cursor.execute(
                        f"SELECT {cols} FROM {self.table} WHERE org_unit_id > %s "
                        f"OR (org_unit_id = %s AND period_key >= %s) ORDER BY {order} LIMIT %s",
                        [last[0], last[0], last[1], size],
                    )
                rows = cursor.fetchall()
            if not rows:
                return
            if len(rows) < size:
                yield [_decimal_row(r) for r in rows]
                return
            tail = (rows[-1][2], rows[-1][3])
            head = [r for r in rows if (r[2], r[3]) != tail]
            if not head:
                # One unit's period larger than a chunk (only duplicates make that): whole.
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {cols} FROM {self.table} WHERE org_unit_id = %s AND period_key = %s "
                        f"ORDER BY {order}",
                        list(tail),
                    )
                    head = cursor.fetchall()
                yield [_decimal_row(r) for r in head]
                last = (tail[0], tail[1] + 1)
                continue
            yield [_decimal_row(r) for r in head]
            last = tail

    def refuse(self, keys: list[tuple[int, int, int, int]]) -> None:
        """Mark rows refused, by (unit, period key, element, row): the index's order."""
        bulk.execute_many(
            f"UPDATE {self.table} SET ok = FALSE WHERE org_unit_id = %s AND period_key = %s "
            f"AND element_id = %s AND row_no = %s",
            keys,
        )

    def units(self) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT org_unit_id FROM {self.table} WHERE ok")
            return [r[0] for r in cursor.fetchall()]

    def period_keys_used(self) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT period_key FROM {self.table} WHERE ok")
            return [r[0] for r in cursor.fetchall()]

    def distinct_ids(self, period_ids: dict[int, int]) -> tuple[set[int], set[int], set[int]]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT element_id FROM {self.table} WHERE ok")
            elements = {r[0] for r in cursor.fetchall()}
            cursor.execute(f"SELECT DISTINCT org_unit_id FROM {self.table} WHERE ok")
            units = {r[0] for r in cursor.fetchall()}
        return elements, set(period_ids.values()), units

    def merge(self, run: _Run, period_ids: dict[int, int]) -> dict:
        """Audit rows, then values, from the good staged rows, in SQL; old values are read here,
        inside the write transaction, after the locks. Returns the counts of changes."""
        qn = connection.ops.quote_name
        values, audits = DataValue._meta.db_table, DataValueAudit._meta.db_table
        now = timezone.now()
        stamp = DataValue._meta.get_field("updated").get_db_prep_save(now, connection)
        actor = _actor(run.user)
        actor_id = actor.pk if actor else None
        s, p, d = self.table, self.periods, values
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {p} (period_key, period_id) VALUES (%s, %s)", list(period_ids.items())
            )
            if connection.vendor == "postgresql":
                return self._merge_once(cursor, actor_id, stamp, run.job.pk)
            joined = (
                f"FROM {s} s JOIN {p} sp ON sp.period_key = s.period_key "
                f"LEFT JOIN {d} d ON d.element_id = s.element_id AND d.org_unit_id = s.org_unit_id "
                f"AND d.period_id = sp.period_id WHERE s.ok"
            )
            cursor.execute(
                "SELECT SUM(CASE WHEN d.id IS NULL THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN d.id IS NOT NULL AND d.value <> s.value THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN d.id IS NOT NULL AND d.value = s.value THEN 1 ELSE 0 END) " + joined
            )
            created, updated, unchanged = (int(x or 0) for x in cursor.fetchone())
            cursor.execute(
                f"INSERT INTO {audits} (element_id, org_unit_id, period_id, old_value, new_value, user_id, "
                f"{qn('at')}, source, import_job_id) "
                f"SELECT s.element_id, s.org_unit_id, sp.period_id, d.value, s.value, %s, %s, %s, %s "
                + joined
                + " AND (d.id IS NULL OR d.value <> s.value)",
                [actor_id, stamp, DataValueAudit.Source.IMPORT, run.job.pk],
            )
            cursor.execute(
                f"INSERT INTO {d} (element_id, org_unit_id, period_id, value, {qn('comment')}, stored_by_id, "
                f"created, updated) "
                f"SELECT s.element_id, s.org_unit_id, sp.period_id, s.value, COALESCE(s.comment, ''), %s, %s, %s "
                f"FROM {s} s JOIN {p} sp ON sp.period_key = s.period_key WHERE s.ok "
                f"ON CONFLICT (element_id, org_unit_id, period_id) DO UPDATE SET value = excluded.value, "
                f"{qn('comment')} = CASE WHEN excluded.{qn('comment')} = '' THEN {d}.{qn('comment')} "
                f"ELSE excluded.{qn('comment')} END, stored_by_id = excluded.stored_by_id, "
                f"updated = excluded.updated "
                f"WHERE {d}.value <> excluded.value OR excluded.{qn('comment')} <> '' ",
                [actor_id, stamp, stamp],
            )
        return {"created": created, "updated": updated, "deleted": 0, "unchanged": unchanged}

    def _merge_once(self, cursor, actor_id, stamp, job_id) -> dict:
        """PostgreSQL: the same merge as one statement, reading the stage against the values
        once. Data-modifying CTEs all see the snapshot taken before the statement, so the
        audit rows get the old values; rows that change nothing are not written at all."""
        qn = connection.ops.quote_name
        values, audits = DataValue._meta.db_table, DataValueAudit._meta.db_table
        s, p, d = self.table, self.periods, values
        cursor.execute(
            f"WITH src AS MATERIALIZED ("
            f"SELECT s.element_id, s.org_unit_id, sp.period_id, s.value, COALESCE(s.comment, '') AS note, "
            f"d.value AS old_value FROM {s} s JOIN {p} sp ON sp.period_key = s.period_key "
            f"LEFT JOIN {d} d ON d.element_id = s.element_id AND d.org_unit_id = s.org_unit_id "
            f"AND d.period_id = sp.period_id WHERE s.ok), "
            f"audit AS (INSERT INTO {audits} (element_id, org_unit_id, period_id, old_value, new_value, "
            f"user_id, {qn('at')}, source, import_job_id) "
            f"SELECT element_id, org_unit_id, period_id, old_value, value, %s, %s, %s, %s FROM src "
            f"WHERE old_value IS NULL OR old_value <> value RETURNING old_value IS NULL AS created), "
            f"upsert AS (INSERT INTO {d} (element_id, org_unit_id, period_id, value, {qn('comment')}, "
            f"stored_by_id, created, updated) "
            f"SELECT element_id, org_unit_id, period_id, value, note, %s, %s, %s FROM src "
            f"WHERE old_value IS NULL OR old_value <> value OR note <> '' "
            f"ON CONFLICT (element_id, org_unit_id, period_id) DO UPDATE SET value = excluded.value, "
            f"{qn('comment')} = CASE WHEN excluded.{qn('comment')} = '' THEN {d}.{qn('comment')} "
            f"ELSE excluded.{qn('comment')} END, stored_by_id = excluded.stored_by_id, "
            f"updated = excluded.updated RETURNING 1) "
            f"SELECT (SELECT COUNT(*) FROM src), (SELECT COUNT(*) FROM audit), "
            f"(SELECT COUNT(*) FROM audit WHERE created), (SELECT COUNT(*) FROM upsert)",
            [actor_id, stamp, DataValueAudit.Source.IMPORT, job_id, actor_id, stamp, stamp],
        )
        total, changed, created, _written = cursor.fetchone()
        return {"created": created, "updated": changed - created, "deleted": 0, "unchanged": total - changed}


def _decimal_row(row: tuple) -> tuple:
    value = row[4]
    if not isinstance(value, Decimal):
        # SQLite gives back a double or an integer: 15 significant digits are exact (clean.py).
        value = Decimal(format(value, ".15g")) if isinstance(value, float) else Decimal(value)
    return (row[0], row[1], row[2], row[3], value, row[5], row[6])


# --- reading files ----------------------------------------------------------------------------


def _open_source(stream, name: str) -> _Source:
    head = stream.read(8)
    stream.seek(0)
    suffix = PurePath(name).suffix.lower()
    if not head.strip() and not stream.read(4096).strip():
        raise FileProblem(f"文件“{name}”是空的")
    stream.seek(0)
    if head[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(stream, name)
    if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix == ".xls":
        raise FileProblem(f"文件“{name}”是旧版 Excel（.xls）格式，请在 Excel 中另存为 .xlsx 后再上传")
    if head[:5] == b"%PDF-" or suffix in (".pdf", ".doc", ".docx", ".zip", ".png", ".jpg", ".jpeg"):
        raise FileProblem(f"文件“{name}”不是数据文件：请上传 CSV、Excel（.xlsx）或 DHIS2 JSON 文件")
    try:
        text = clean.open_text(stream, name)
    except clean.DecodeError as exc:
        raise FileProblem(str(exc)) from None
    first = _peek_text(text)
    if suffix == ".json" or first.lstrip()[:1] in ("{", "["):
        return _read_json(text, name)
    return _read_csv(text, name, first)


def _peek_text(text) -> str:
    """The first non-blank characters of a text stream, without consuming them."""
    buffer = text.buffer
    sample = buffer.peek(4096)[:4096] if hasattr(buffer, "peek") else b""
    try:
        return sample.decode(text.encoding, errors="ignore").lstrip("\ufeff")
    except LookupError:
        return ""


def decode(data: bytes, name: str) -> str:
    """Text of a file in UTF-8 (with or without BOM), UTF-16, GB18030/GBK or Big5."""
    try:
        return clean.decode_bytes(data, name)
    except clean.DecodeError as exc:
        raise FileProblem(str(exc)) from None


def _header_fields(cells: list) -> dict[str, int]:
    found = {}
    for i, cell in enumerate(cells):
        key = _HEADERS.get(clean.code(cell).replace(" ", "").lower())
        if key and key not in found:
            found[key] = i
    return found


def _columns_named(header: list, fields: dict[str, int]) -> Columns:
    names = {f: str(header[i]).strip() for f, i in fields.items() if f in _OUR_NAMES}
    return Columns(**{f: names.get(f, _OUR_NAMES[f]) for f in _OUR_NAMES})


def _read_csv(text, name: str, first_chars: str) -> _Source:
    first = next((line for line in first_chars.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count) if first else ","
    reader = csv.reader(text, delimiter=delimiter)
    line = 0
    header = None
    try:
        for cells in reader:
            line += 1
            if any(c.strip() for c in cells):
                header = cells
                break
    except (csv.Error, UnicodeDecodeError) as exc:
        raise FileProblem(f"文件“{name}”不是有效的 CSV：{exc}") from None
    if header is None:
        raise FileProblem(f"文件“{name}”是空的")
    fields = _header_fields(header)
    pending_first: list[list[str]] = []
    if fields:
        missing = [_OUR_NAMES[f] for f in _REQUIRED if f not in fields]
        if missing:
            raise FileProblem(
                f"文件“{name}”缺少列：{'、'.join(missing)}（需要 数据元编码、机构编码、期间、数值，"
                f"或 dataElement、orgUnit、period、value）"
            )
        fmt = "dhis2-csv" if "coc" in fields or "aoc" in fields else "csv"
        columns = _columns_named(header, fields)
    elif len(header) >= 6 and _is_period(header[1]):
        fmt, fields, columns = "dhis2-csv", _DHIS2_POSITIONS, _dhis2_columns()
        pending_first = [header]
    else:
        raise FileProblem(
            f"文件“{name}”第{line}行不是可识别的表头：需要 数据元编码、机构编码、期间、数值 四列"
            f"（或 dataElement、orgUnit、period、value），或 DHIS2 CSV 格式"
        )

    def rows() -> Iterator[_Raw]:
        width = max(fields.values()) + 1
        number = line - 1 if pending_first else line
        fe, fo, fp, fv = fields["element"], fields["org_unit"], fields["period"], fields["value"]
        fc, fk = fields.get("comment"), fields.get("coc")
        source = _chain(pending_first, reader)
        while True:
            try:
                cells = next(source)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise FileProblem(
                    f"文件“{name}”第{number + 1}行附近的文字编码与文件开头不一致，请整体另存为 UTF-8 或 GBK"
                ) from None
            except csv.Error as exc:
                raise FileProblem(f"文件“{name}”第{number + 1}行不是有效的 CSV：{exc}") from None
            number += 1
            if len(cells) < width:
                if not any(c.strip() for c in cells):
                    continue
                cells = cells + [""] * (width - len(cells))
            yield _Raw(
                number,
                cells[fe],
                cells[fo],
                cells[fp],
                cells[fv],
                cells[fc].strip() if fc is not None else None,
                combo=cells[fk].strip() if fk is not None else "",
            )

    return _Source(fmt, columns, _guarded(rows(), name))


def _chain(first: list, rest) -> Iterator:
    yield from first
    yield from rest


def _guarded(rows: Iterator[_Raw], name: str) -> Iterator[_Raw]:
    """Errors of reading deep in a file become the file's problem, not a server error."""
    try:
        yield from rows
    except FileProblem:
        raise
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FileProblem(f"文件“{name}”读取出错：{exc}") from None


def _dhis2_columns() -> Columns:
    return Columns("dataelement", "orgunit", "period", "value")


def _is_period(text) -> bool:
    try:
        periods.parse(str(text))
    except periods.PeriodError:
        return False
    return True


def _read_json(text, name: str) -> _Source:
    # A dataValueSet is one JSON document: it is parsed whole (JSON files are exchanged in
    # data-set-sized pieces; big bulk loads come as CSV, which streams).
    try:
        doc = json.load(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(f"文件“{name}”不是有效的 JSON：第{exc.lineno}行第{exc.colno}列附近有误") from None
    except UnicodeDecodeError:
        raise FileProblem(f"文件“{name}”的编码无法识别，请另存为 UTF-8 编码") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("dataValues"), list):
        raise FileProblem(f'文件“{name}”不是 DHIS2 数据值集（dataValueSet）：缺少 "dataValues" 列表')
    default_period = str(doc.get("period") or "")
    default_unit = str(doc.get("orgUnit") or "")
    items = doc["dataValues"]

    def rows() -> Iterator[_Raw]:
        for i, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                yield _Raw(i, "", "", "", "", None)
                continue
            yield _Raw(
                i,
                str(item.get("dataElement") or ""),
                str(item.get("orgUnit") or default_unit),
                str(item.get("period") or default_period),
                item.get("value", ""),
                str(item["comment"]) if item.get("comment") else None,
                combo=str(item.get("categoryOptionCombo") or "").strip(),
            )

    return _Source("dhis2-json", Columns("dataElement", "orgUnit", "period", "value"), rows(), row_word="条")


def _read_xlsx(stream, name: str) -> _Source:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    unreadable = (
        f"文件“{name}”无法作为 Excel（.xlsx）文件打开：文件可能已损坏、未完整上传，"
        f"或不是 .xlsx 格式，请重新保存后上传"
    )
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet_rows = sheet.iter_rows(values_only=True)
        head: list[tuple[int, list]] = []
        for number, r in enumerate(sheet_rows, start=1):
            head.append((number, ["" if c is None else c for c in r]))
            if len(head) >= 10:
                break
    except Exception:
        # Reading is pure parsing of the upload: whatever a damaged, truncated or disguised file
        # makes zipfile, the XML parser or openpyxl raise, the user's answer is the same.
        raise FileProblem(unreadable) from None

    def table() -> Iterator[tuple[int, list]]:
        yield from head
        try:
            for number, r in enumerate(sheet_rows, start=len(head) + 1):
                yield number, ["" if c is None else c for c in r]
        except Exception:
            raise FileProblem(unreadable) from None
        finally:
            workbook.close()

    try:
        generated = read_generated_at(workbook)
    except Exception:  # a damaged info sheet: the file is read as a template without a date
        generated = None
    while head and not any(str(c).strip() for c in head[0][1]):
        head.pop(0)
    if not head:
        raise FileProblem(f"文件“{name}”的第一个工作表是空的")

    # Our template: a row "期间编码 | 2024Q1", a row "数据元编码 | | CODE …", then one row per unit.
    labels = {str(r[0]).strip(): i for i, (_n, r) in enumerate(head) if r}
    if TEMPLATE_PERIOD_LABEL in labels and TEMPLATE_CODES_LABEL in labels:
        number_p, period_row = head[labels[TEMPLATE_PERIOD_LABEL]]
        period = clean.period_code(period_row[1]) if len(period_row) > 1 else ""
        if not _is_period(period):
            raise FileProblem(f"文件“{name}”的期间编码“{period}”无效（第{number_p}行B列）")
        codes_index = labels[TEMPLATE_CODES_LABEL]
        codes_number, code_cells = head[codes_index]
        codes = [clean.code(c) for c in code_cells]
        titles = head[codes_index - 1][1] if codes_index > 0 else codes
        column_names = [
            f"{get_column_letter(col + 1)}列（{str(titles[col]).strip() if col < len(titles) else codes[col]}）"
            for col in range(len(codes))
        ]

        def rows() -> Iterator[_Raw]:
            for number, cells in table():
                if number <= codes_number:
                    continue
                unit = str(cells[0]).strip() if cells else ""
                for col in range(2, len(codes)):
                    if not codes[col] or col >= len(cells) or str(cells[col]).strip() == "":
                        continue  # a blank cell is a figure not reported, not a zero
                    yield _Raw(number, codes[col], unit, period, cells[col], value_column=column_names[col])

        return _Source(
            "xlsx",
            Columns(element="数据元编码", org_unit="A列（机构编码）", period="期间编码"),
            rows(),
            since=generated,
        )

    header_number, header = head[0]
    fields = _header_fields(header)
    missing = [_OUR_NAMES[f] for f in _REQUIRED if f not in fields]
    if missing:
        raise FileProblem(
            f"文件“{name}”不是本系统的填报模板，也不是含 数据元编码、机构编码、期间、数值 列的表格"
            f"（缺少：{'、'.join(missing)}）"
        )

    def table_rows() -> Iterator[_Raw]:
        width = max(fields.values()) + 1
        for number, cells in table():
            if number <= header_number or not any(str(c).strip() for c in cells):
                continue
            cells = cells + [""] * (width - len(cells))
            yield _Raw(
                number,
                str(cells[fields["element"]]),
                str(cells[fields["org_unit"]]),
                cells[fields["period"]],
                cells[fields["value"]],
                str(cells[fields["comment"]]).strip() if "comment" in fields else None,
            )

    return _Source("xlsx-table", _columns_named(header, fields), table_rows())
