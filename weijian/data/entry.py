"""Entering data values: the checks every value passes (scope, type, min/max, validation
rules, duplicates, period) and the one bulk write that stores them with their audit trail.

Web forms and the API call `save_values`; file imports (`imports.py`) resolve their rows and
go through the same `check` and `apply`, so a value is judged the same way whatever the door.
Nothing is written unless every row passes (`save_values`), or — for a partial import — only
the rows that pass are written; all in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from weijian.accounts import scope
from weijian.indicators.models import DataElement
from weijian.orgs.models import OrgUnit

from . import bulk, conflicts, periods
from .clean import parse_decimal
from .conflicts import UNSEEN
from .models import DataValue, DataValueAudit, ImportJob, Period
from .problems import bounded_rows
from .signals import notify_values_changed
from .validation import compiled_rules, range_problem

_BATCH = 2000
_ID_CHUNK = 900  # ids per IN (...) list, well inside SQLite's variable limit


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a row was refused: where (row, column) and why, in Chinese."""

    row: int | None
    column: str
    reason: str
    file: str = ""
    row_word: str = "行"  # "条" for the entries of a DHIS2 JSON file

    def __str__(self) -> str:
        where = ""
        if self.file:
            where += f"文件“{self.file}”"
        if self.row is not None:
            where += f"第{self.row}{self.row_word}"
        if self.column:
            where += f"“{self.column}”"
        return f"{where}：{self.reason}" if where else self.reason

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason, "message": str(self)}


class DataError(Exception):
    """Raised when values were refused; nothing was changed. `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "；".join(str(p) for p in self.problems[:5])
        more = f"；另有 {len(self.problems) - 5} 处错误" if len(self.problems) > 5 else ""
        super().__init__(shown + more)


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


@dataclass(frozen=True, slots=True)
class Columns:
    """The names the user sees for each field, to name the column of a problem."""

    element: str = "数据元"
    org_unit: str = "机构"
    period: str = "期间"
    value: str = "数值"


@dataclass(slots=True)
class Pending:
    """One value waiting to be checked and written. `value` None deletes."""

    row: int
    element: DataElement
    org_unit: OrgUnit
    period_code: str
    value: Decimal | None
    comment: str | None = None
    value_column: str | None = None  # overrides Columns.value (a cell of the Excel template)
    shown: object = UNSEEN  # the value the user's form showed (None: empty), see data.conflicts


@dataclass
class Checked:
    """The outcome of `check`: rows that may be written, what was refused, and what is stored."""

    good: list[Pending]
    problems: list[Problem]
    existing: dict[tuple[int, int, int], tuple[int, Decimal]] = field(default_factory=dict)
    period_rows: dict[str, Period] = field(default_factory=dict)


def save_values(
    user,
    rows: Iterable[tuple[DataElement, OrgUnit, str, Decimal | None]],
    *,
    source: str,
    comment: str | None = None,
    shown: Mapping[int, Decimal | None] | None = None,
) -> SaveResult:
    """Store values entered by `user` (form, API): all or nothing.

    Each row is (element, org unit, period code, value); value None deletes the stored value.
    `shown` maps row numbers (from 1) to the value the user's form showed for that row: a row
    whose stored value has changed since is refused as a conflict (data.conflicts).
    Raises DataError listing every problem (row numbers count from 1) and changes nothing when
    any row is refused."""
    pending = []
    problems = []
    for i, (element, org_unit, period_code, raw) in enumerate(rows, start=1):
        try:
            value = None if raw is None else to_decimal(raw)
        except ValueError as exc:
            problems.append(Problem(i, Columns.value, str(exc)))
            continue
        seen = shown.get(i, UNSEEN) if shown else UNSEEN
        pending.append(Pending(i, element, org_unit, str(period_code), value, comment, shown=seen))
    checked = check(pending, user)
    problems = sorted(problems + checked.problems, key=lambda p: p.row or 0)
    if problems:
        raise DataError(problems)
    return apply(checked, user, source)


def to_decimal(raw, *, percent: bool = False) -> Decimal:
    """A number as the user typed or a spreadsheet stored it; ValueError with a Chinese reason.
    One parser for every door: `clean.parse_decimal` (precision checked, nothing rounded)."""
    return parse_decimal(raw, percent=percent)


def check(
    pending: list[Pending],
    user,
    *,
    system: bool = False,
    partial: bool = False,
    columns: Columns = Columns(),
    file: str = "",
    row_word: str = "行",
    since: datetime | None = None,
) -> Checked:
    """Judge every pending row; nothing is written.

    A row whose stored value changed after its user saw it is refused as a conflict: after the
    value its form showed (`Pending.shown`), or — `since`, when an Excel template was
    generated — by a change after that time to a value the file does not hold.

    `system` skips the scope check (an import run by an operator from the command line).
    With `partial`, rule checks are repeated without the refused rows until the rows left
    are consistent, so what `apply` writes never breaks a rule."""
    problems: list[Problem] = []
    bad_rows: set[int] = set()

    def refuse(p: Pending, column: str, reason: str) -> None:
        problems.append(Problem(p.row, column, reason, file, row_word))
        bad_rows.add(p.row)

    today = timezone.localdate()
    writable: dict[int, bool] = {}
    parsed: dict[str, periods.ParsedPeriod | None] = {}
    first_row: dict[tuple[int, int, str], Pending] = {}
    duplicated: dict[tuple[int, int, str], list[Pending]] = defaultdict(list)
    for p in pending:
        if p.period_code not in parsed:
            try:
                parsed[p.period_code] = periods.parse(p.period_code)
            except periods.PeriodError as exc:
                parsed[p.period_code] = None
                refuse(p, columns.period, str(exc))
                continue
        pp = parsed[p.period_code]
        if pp is None:
            refuse(p, columns.period, f"“{p.period_code}”不是有效的期间编码")
            continue
        p.period_code = pp.code
        if pp.start > today:
            refuse(p, columns.period, f"期间“{pp.code}”（{periods.label(pp.code)}）尚未开始，不能填报")
        if not system:
            if p.org_unit.pk not in writable:
                writable[p.org_unit.pk] = scope.can_write_org(user, p.org_unit)
            if not writable[p.org_unit.pk]:
                if scope.can_read_org(user, p.org_unit):
                    refuse(p, columns.org_unit, f"无权填报“{p.org_unit.name}”的数据（不在您的填报范围内）")
                else:
                    # The same words as for an unknown code: a refusal reveals nothing outside the scope.
                    refuse(p, columns.org_unit, f"机构编码“{p.org_unit.code}”不存在或不在您的填报范围内")
        if p.value is not None:
            reason = range_problem(p.element, p.value)
            if reason:
                refuse(p, p.value_column or columns.value, reason)
        key = (p.element.pk, p.org_unit.pk, pp.code)
        if key in first_row:
            duplicated[key].append(p)
        else:
            first_row[key] = p
    for key, later in duplicated.items():
        rows = [first_row[key], *later]
        # One bounded text per key: naming every other row in every row's message made 20 000
        # duplicates a 400-million-number answer.
        where = bounded_rows([p.row for p in rows], row_word)
        first = rows[0]
        reason = f"“{first.element.code}”“{first.org_unit.code}”“{first.period_code}”在{where}重复出现"
        for p in rows:
            refuse(p, columns.element, reason)

    good = [p for p in pending if p.row not in bad_rows]
    period_rows = {pr.code: pr for pr in Period.objects.filter(code__in={p.period_code for p in good})}
    rules = compiled_rules()
    rule_codes = set().union(*(r.codes for r in rules)) if rules else set()
    rule_elements = (
        dict(DataElement.objects.filter(code__in=rule_codes).values_list("pk", "code")) if rule_codes else {}
    )
    existing = _existing(good, period_rows, set(rule_elements))
    for pr in _conflicts(good, existing, period_rows, since, columns, file, row_word):
        problems.append(pr)
        bad_rows.add(pr.row)
    good = [p for p in good if p.row not in bad_rows]

    if rules and good:
        rule_problems = _rule_problems(
            good, rules, existing, period_rows, rule_elements, columns, file, row_word
        )
        while rule_problems:
            for pr in rule_problems:
                problems.append(pr)
                bad_rows.add(pr.row)
            good = [p for p in good if p.row not in bad_rows]
            if not partial:
                break
            rule_problems = _rule_problems(
                good, rules, existing, period_rows, rule_elements, columns, file, row_word
            )
    problems.sort(key=lambda pr: pr.row or 0)
    return Checked(good, problems, existing, period_rows)


def _conflicts(good, existing, period_rows, since, columns, file, row_word) -> list[Problem]:
    """Rows that would write over a change their user has not seen (see data.conflicts)."""
    candidates = []
    for p in good:
        period = period_rows.get(p.period_code)
        if period is None:
            continue  # nothing was ever stored for this period
        key = (p.element.pk, p.org_unit.pk, period.pk)
        stored = existing.get(key)
        stored_value = stored[1] if stored else None
        if p.shown is not UNSEEN:
            if stored_value != p.shown:
                candidates.append((p, key, stored_value))
        elif since is not None and stored_value != p.value:
            candidates.append((p, key, stored_value))
    if not candidates:
        return []
    changes = conflicts.last_changes({key for _p, key, _v in candidates})
    out = []
    for p, key, stored_value in candidates:
        change = changes.get(key)
        if p.shown is not UNSEEN:
            reason = conflicts.form_conflict_reason(change, p.shown, stored_value)
        elif change is not None and change.at is not None and change.at > since:
            reason = conflicts.template_conflict_reason(
                p.org_unit.name, p.period_code, p.element.name, since, change, stored_value, p.value
            )
        else:
            continue  # the file differs from a value nobody changed since: an ordinary update
        out.append(Problem(p.row, p.value_column or columns.value, reason, file, row_word))
    return out


def _existing(
    good: list[Pending], period_rows: dict[str, Period], extra_element_ids: set[int]
) -> dict[tuple[int, int, int], tuple[int, Decimal]]:
    """Stored (pk, value) by (element, org unit, period) for the units and periods touched,
    for the elements touched and those named by rules — a few queries, not one per row."""
    if not good or not period_rows:
        return {}
    element_ids = {p.element.pk for p in good} | extra_element_ids
    unit_ids = sorted({p.org_unit.pk for p in good})
    period_ids = [pr.pk for pr in period_rows.values()]
    out: dict[tuple[int, int, int], tuple[int, Decimal]] = {}
    for i in range(0, len(unit_ids), _ID_CHUNK):
        rows = DataValue.objects.filter(
            org_unit_id__in=unit_ids[i : i + _ID_CHUNK], period_id__in=period_ids, element_id__in=element_ids
        ).values_list("element_id", "org_unit_id", "period_id", "pk", "value")
        for e, o, per, pk, value in rows.iterator(chunk_size=10000):
            out[(e, o, per)] = (pk, value)
    return out


def _rule_problems(
    good, rules, existing, period_rows, rule_elements, columns, file, row_word
) -> list[Problem]:
    """Rules broken by the stored values of a unit and period once the good rows are applied."""
    touched: dict[tuple[int, str], list[Pending]] = defaultdict(list)
    for p in good:
        touched[(p.org_unit.pk, p.period_code)].append(p)
    stored: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    for (e, o, per), (_pk, value) in existing.items():
        code = rule_elements.get(e)
        if code is not None:
            stored[(o, per)][code] = value
    problems = []
    for (unit_id, code), rows in touched.items():
        period = period_rows.get(code)
        values: dict[str, Decimal | None] = dict(stored.get((unit_id, period.pk), {})) if period else {}
        for p in rows:
            values[p.element.code] = p.value
        changed = {p.element.code for p in rows}
        for rule in rules:
            if not (rule.codes & changed):
                continue
            holds, left, right = rule.check(values)
            if holds:
                continue
            # Refuse every row of this unit and period that the rule reads: any of them may be
            # the wrong one, and the user must see them together.
            for p in rows:
                if p.element.code in rule.codes:
                    problems.append(
                        Problem(
                            p.row,
                            p.value_column or columns.value,
                            f"{p.org_unit.name} {periods.label(code)}：{rule.message(left, right)}",
                            file,
                            row_word,
                        )
                    )
    return problems


def apply(checked: Checked, user, source: str, *, job: ImportJob | None = None) -> SaveResult:
    """Write the checked rows and one audit row per change, in one transaction, in bulk.

    Raises DataError (and writes nothing) if another user stored one of the same values
    between the check and the write."""
    result = SaveResult()
    if not checked.good:
        return result
    actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            if connection.vendor == "sqlite" and len(checked.good) > 10_000:
                # SQLite's default page cache (2 MB) is far smaller than the indexes a big
                # import updates; a larger one (taken only as pages are read) saves disk reads.
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA cache_size = -262144")
            # The old values audited are read here, inside the write transaction and after the
            # units' write locks: read in `check`, another user's write in between would make
            # the audit chain skip a step.
            bulk.lock_units({p.org_unit.pk for p in checked.good})
            period_ids = _ensure_periods({p.period_code for p in checked.good}, checked.period_rows)
            fresh = _existing(checked.good, {code: Period(pk=pk) for code, pk in period_ids.items()}, set())
            for p in checked.good:
                key = (p.element.pk, p.org_unit.pk, period_ids[p.period_code])
                if fresh.get(key) != checked.existing.get(key):
                    # Changed by someone else since it was checked: tell, never overwrite.
                    raise IntegrityError("changed since checked")
            checked.existing = fresh
            inserts: list[tuple[int, int, int, Decimal, str]] = []
            updates: list[tuple[int, Decimal, str]] = []
            deletes: list[int] = []
            audits: list[tuple[int, int, int, Decimal | None, Decimal | None]] = []
            for p in checked.good:
                per = period_ids[p.period_code]
                old = checked.existing.get((p.element.pk, p.org_unit.pk, per))
                old_value = old[1] if old else None
                if p.value is None:
                    if old is None:
                        result.unchanged += 1
                        continue
                    deletes.append(old[0])
                    result.deleted += 1
                elif old is None:
                    inserts.append((p.element.pk, p.org_unit.pk, per, p.value, (p.comment or "")[:200]))
                    result.created += 1
                elif old_value == p.value and p.comment is None:
                    result.unchanged += 1
                    continue
                else:
                    updates.append((old[0], p.value, (p.comment or "")[:200]))
                    result.updated += 1
                if old_value != p.value:
                    audits.append((p.element.pk, p.org_unit.pk, per, old_value, p.value))
            _write_values(inserts, updates, actor)
            for i in range(0, len(deletes), _ID_CHUNK):
                DataValue.objects.filter(pk__in=deletes[i : i + _ID_CHUNK]).delete()
            _write_audits(audits, actor, source, job)
            if audits:  # every change has its audit row: tell the pre-aggregated totals
                notify_values_changed({a[0] for a in audits}, {a[2] for a in audits}, {a[1] for a in audits})
    except IntegrityError:
        raise DataError(
            [Problem(None, "", "保存时发现其他用户刚刚填报了相同的数据，本次未作任何修改，请刷新后重试")]
        ) from None
    return result


# Django's bulk_create and bulk_update compile every value of every row in Python (about
# 70 µs a row here), which makes a 100 000-row import take tens of seconds. On SQLite and
# PostgreSQL the same INSERT and UPDATE statements go through executemany on one prepared
# statement instead. (An INSERT … ON CONFLICT DO UPDATE upsert would save telling new rows
# from changed ones, but SQLite runs it several times slower even when nothing conflicts;
# `check` has already read which values exist.) Other databases use bulk_create/bulk_update.
_FAST_VENDORS = {"sqlite", "postgresql"}


def _write_values(inserts: list[tuple], updates: list[tuple], actor) -> None:
    now = timezone.now()
    if connection.vendor not in _FAST_VENDORS:
        DataValue.objects.bulk_create(
            [
                DataValue(
                    element_id=e,
                    org_unit_id=o,
                    period_id=p,
                    value=v,
                    comment=c,
                    stored_by=actor,
                    created=now,
                    updated=now,
                )
                for e, o, p, v, c in inserts
            ],
            batch_size=_BATCH,
        )
        changed = [DataValue(pk=pk, value=v, comment=c, stored_by=actor, updated=now) for pk, v, c in updates]
        DataValue.objects.bulk_update(
            changed, ["value", "comment", "stored_by", "updated"], batch_size=_BATCH
        )
        return
    stamp = DataValue._meta.get_field("updated").get_db_prep_save(now, connection)
    actor_id = actor.pk if actor else None
    adapt = connection.ops.adapt_decimalfield_value
    if inserts:
        bulk.insert_many(
            DataValue,
            ["element", "org_unit", "period", "value", "comment", "stored_by", "created", "updated"],
            [(e, o, p, adapt(v), c, actor_id, stamp, stamp) for e, o, p, v, c in inserts],
        )
    if updates:
        qn = connection.ops.quote_name
        sql = (
            f"UPDATE {qn(DataValue._meta.db_table)} SET {qn('value')} = %s, {qn('comment')} = %s, "
            f"{qn('stored_by_id')} = %s, {qn('updated')} = %s WHERE {qn('id')} = %s"
        )
        bulk.execute_many(sql, [(adapt(v), c, actor_id, stamp, pk) for pk, v, c in updates])


def _write_audits(audits: list[tuple], actor, source: str, job: ImportJob | None) -> None:
    if not audits:
        return
    now = timezone.now()
    if connection.vendor not in _FAST_VENDORS:
        DataValueAudit.objects.bulk_create(
            [
                DataValueAudit(
                    element_id=e,
                    org_unit_id=o,
                    period_id=p,
                    old_value=old,
                    new_value=new,
                    user=actor,
                    source=source,
                    import_job=job,
                    at=now,
                )
                for e, o, p, old, new in audits
            ],
            batch_size=_BATCH,
        )
        return
    stamp = DataValueAudit._meta.get_field("at").get_db_prep_save(now, connection)
    actor_id = actor.pk if actor else None
    job_id = job.pk if job else None
    adapt = connection.ops.adapt_decimalfield_value
    rows = [
        (
            e,
            o,
            p,
            None if old is None else adapt(old),
            None if new is None else adapt(new),
            actor_id,
            stamp,
            source,
            job_id,
        )
        for e, o, p, old, new in audits
    ]
    bulk.insert_many(
        DataValueAudit,
        ["element", "org_unit", "period", "old_value", "new_value", "user", "at", "source", "import_job"],
        rows,
    )


def _ensure_periods(codes: set[str], known: dict[str, Period]) -> dict[str, int]:
    missing = [periods.parse(c) for c in codes if c not in known]
    if missing:
        Period.objects.bulk_create(
            [Period(code=p.code, type=p.type, start=p.start, end=p.end) for p in missing],
            ignore_conflicts=True,
        )
        known = {**known, **{pr.code: pr for pr in Period.objects.filter(code__in=[p.code for p in missing])}}
    return {code: known[code].pk for code in codes}
