"""Keeping the pre-aggregated totals (models.Total) and reading them.

* `lookup` answers `data.aggregate` for units that have children, once the totals are built
  (registered in apps.py): one query for any number of elements, units and periods.
* `rebuild` recomputes everything: for each year with data and each of its 19 standard
  periods, the subtree totals of the deepest administrative units by grouped queries over the
  stored values, the own values of the units above them, and sums up the tree in memory. The
  rules are those of `data.aggregate` (its raw path computes them), and every rule is additive
  over org units (a stock figure is each unit's latest, then summed; an average is each unit's,
  then summed), so a parent's total is the sum of its parts.
* `refresh` recomputes the totals a committed write touched: the changed elements, every
  standard period overlapping a changed period, every unit above a changed unit, from the
  bottom up (each from its children's totals and the own values of its childless children). It runs on
  `data.signals.values_changed` (sent once a write has committed) and after a transaction
  that saved or deleted DataValue objects one by one (once per transaction).
* A change of the hierarchy (a unit added, removed or moved) marks the totals stale, so pages
  compute from the stored values, and queues a rebuild in the background (`hierarchy`).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, Max, Min, OuterRef
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from weijian.data import aggregate, periods
from weijian.data.models import DataValue, Period, PeriodType
from weijian.indicators.models import DataElement
from weijian.orgs.models import OrgUnit

from .models import State, Total

_STANDARD = [(PeriodType.YEAR, 1), (PeriodType.HALF, 2), (PeriodType.QUARTER, 4), (PeriodType.MONTH, 12)]


def ready() -> bool:
    state = State.objects.first()
    return state is not None and state.ready


def lookup(
    elements: Sequence[DataElement], units: Sequence[OrgUnit], codes: Sequence[str]
) -> tuple[dict[tuple[int, str], dict[int, Decimal]], set[int]]:
    covered = [ou for ou in units if ou.numchild > 0]
    if not covered or not ready():
        return {}, set()
    found: dict[tuple[int, str], dict[int, Decimal]] = {(ou.pk, c): {} for ou in covered for c in codes}
    rows = Total.objects.filter(
        org_unit_id__in=[ou.pk for ou in covered],
        element_id__in=[e.pk for e in elements],
        period__code__in=list(codes),
    ).values_list("org_unit_id", "period__code", "element_id", "value")
    for unit_pk, code, element_id, value in rows:
        found[(unit_pk, code)][element_id] = value
    return found, {ou.pk for ou in covered}


def standard_codes(year: int) -> list[str]:
    return [periods.code_for(t, year, i) for t, n in _STANDARD for i in range(1, n + 1)]


def rebuild() -> int:
    """Recompute every total from the stored values; returns the number of totals."""
    elements = list(DataElement.objects.filter(Exists(DataValue.objects.filter(element=OuterRef("pk")))))
    span = Period.objects.filter(Exists(DataValue.objects.filter(period=OuterRef("pk")))).aggregate(
        first=Min("start"), last=Max("end")
    )
    written = 0
    with transaction.atomic():
        _lock_totals()
        # The state row is locked first: a unit added while the totals are computed waits to
        # mark them stale, so it is never marked ready over a change it did not see.
        state = State.objects.select_for_update().first() or State()
        Total.objects.all().delete()
        if elements and span["first"] is not None:
            tree = _Tree.load()
            for year in range(span["first"].year, span["last"].year + 1):
                written += _write(tree, elements, standard_codes(year))
        state.built_at, state.stale = timezone.now(), False
        state.save()
    return written


def rebuild_if_stale() -> int:
    """Rebuild when the totals were built once and a change of the hierarchy made them stale."""
    state = State.objects.first()
    if state is None or state.built_at is None or not state.stale:
        return 0
    return rebuild()


def refresh(element_ids: Iterable[int], period_ids: Iterable[int], org_unit_ids: Iterable[int]) -> int:
    """Recompute the totals a write touched (nothing until the totals are first built).

    It waits for a rebuild under way (the totals' lock) and then reads the tree and the totals
    as they are; while a rebuild is queued but not begun (the totals stale), there is nothing
    to do: the rebuild will read this change."""
    state = State.objects.first()
    if state is None or state.built_at is None:
        return 0
    elements = list(DataElement.objects.filter(pk__in=set(element_ids)))
    changed = list(Period.objects.filter(pk__in=set(period_ids)))
    if not elements or not changed:
        return 0
    codes: list[str] = []
    for p in changed:
        for code in standard_codes(p.start.year) + (
            standard_codes(p.end.year) if p.end.year != p.start.year else []
        ):
            q = periods.parse(code)
            if q.start <= p.end and q.end >= p.start and code not in codes:
                codes.append(code)
    with transaction.atomic():
        _lock_totals()
        if not ready():
            return 0
        tree = _Tree.load()
        above: set[int] = set()
        for path in OrgUnit.objects.filter(pk__in=set(org_unit_ids)).values_list("path", flat=True):
            above |= {tree.by_path[a].pk for a in tree.ancestors(path) if a in tree.parents}
        if not above:
            return 0
        return _write_upwards(tree, elements, codes, above)


_TOTALS_LOCK = 72_012  # pg_advisory_xact_lock key of the totals (data values use 72 011)


def _lock_totals() -> None:
    """Refreshes and rebuilds queue on one lock, taken before they read a total: a refresh
    sums the totals of the changed unit's siblings, so two at once would each sum the other's
    old total (and collide on the rows they both replace). On SQLite, which has one write
    lock for the whole file, a statement that writes nothing takes that lock now."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_TOTALS_LOCK])
        elif connection.vendor == "sqlite":
            cursor.execute(f"UPDATE {State._meta.db_table} SET stale = stale WHERE 0 = 1")


class _Tree:
    """The org units as paths: which have children, and the deepest such level."""

    def __init__(self, units: list[OrgUnit]):
        self.units = units
        self.by_path = {ou.path: ou for ou in units}
        step = OrgUnit.steplen
        self.step = step
        self.parents = {ou.path[:-step] for ou in units if len(ou.path) > step}
        self.deepest = max((len(p) for p in self.parents), default=0)
        self.children: dict[str, list[OrgUnit]] = defaultdict(list)
        for ou in units:
            if len(ou.path) > step:
                self.children[ou.path[:-step]].append(ou)

    @classmethod
    def load(cls) -> _Tree:
        return cls(list(OrgUnit.objects.only("id", "path", "depth", "numchild").order_by("path")))

    def ancestors(self, path: str) -> list[str]:
        return [path[:i] for i in range(self.step, len(path) + 1, self.step)]


def _write(tree: _Tree, elements: list[DataElement], codes: list[str]) -> int:
    """Compute and store the totals of `elements` in `codes` for every unit with children (the
    caller has emptied the table)."""
    for code in codes:
        periods.get_period(code)
    period_ids = dict(Period.objects.filter(code__in=codes).values_list("code", "pk"))
    element_ids = {e.code: e.pk for e in elements}
    # The deepest units with children: their subtrees hold only units without children.
    deepest = [ou for ou in tree.units if ou.path in tree.parents and len(ou.path) == tree.deepest]
    # Every unit above them, and every childless unit not below them: their own values.
    own = [
        ou
        for ou in tree.units
        if len(ou.path) < tree.deepest or (len(ou.path) == tree.deepest and ou.path not in tree.parents)
    ]
    sums: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    for units, mode in ((deepest, "subtree"), (own, "own")):
        if not units:
            continue
        grid = aggregate.element_grid(elements, units, codes, raw=True, mode=mode)
        for ou in units:
            for code in codes:
                for element_code, value in grid[(ou.pk, code)].items():
                    for a in tree.ancestors(ou.path):
                        if a in tree.parents:
                            sums[(tree.by_path[a].pk, code, element_code)] += value
    rows = [
        Total(org_unit_id=unit_pk, period_id=period_ids[code], element_id=element_ids[e], value=v)
        for (unit_pk, code, e), v in sums.items()
    ]
    Total.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _write_upwards(tree: _Tree, elements: list[DataElement], codes: list[str], above: set[int]) -> int:
    """Recompute the totals of the units in `above` (the ancestors of changed units), the
    deepest first: each is the sum of its children's totals (those with children, already
    recomputed when they were in `above`) and of the own values of its childless children and
    of itself. The work is that of the units' children, not of their whole subtrees: a value
    saved for one hospital reads its county's values and the totals of the levels above."""
    for code in codes:
        periods.get_period(code)
    period_ids = dict(Period.objects.filter(code__in=codes).values_list("code", "pk"))
    element_ids = {e.code: e.pk for e in elements}
    code_of_period = {pk: code for code, pk in period_ids.items()}
    code_of_element = {pk: code for code, pk in element_ids.items()}
    by_pk = {ou.pk: ou for ou in tree.units}
    written = 0
    for unit in sorted((by_pk[pk] for pk in above), key=lambda ou: -len(ou.path)):
        kids = tree.children[unit.path]
        with_children = [k.pk for k in kids if k.path in tree.parents]
        own = [unit, *(k for k in kids if k.path not in tree.parents)]
        sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        parts = Total.objects.filter(
            org_unit_id__in=with_children,
            element_id__in=element_ids.values(),
            period_id__in=period_ids.values(),
        ).values_list("period_id", "element_id", "value")
        for period_id, element_id, value in parts:
            sums[(code_of_period[period_id], code_of_element[element_id])] += value
        grid = aggregate.element_grid(elements, own, codes, raw=True, mode="own")
        for ou in own:
            for code in codes:
                for element_code, value in grid[(ou.pk, code)].items():
                    sums[(code, element_code)] += value
        Total.objects.filter(
            org_unit_id=unit.pk, element_id__in=element_ids.values(), period_id__in=period_ids.values()
        ).delete()
        rows = [
            Total(org_unit_id=unit.pk, period_id=period_ids[code], element_id=element_ids[e], value=v)
            for (code, e), v in sums.items()
        ]
        Total.objects.bulk_create(rows, batch_size=5000)
        written += len(rows)
    return written


# --- keeping in step --------------------------------------------------------------------------

_pending = threading.local()


def _queue(element_ids: Iterable[int], period_ids: Iterable[int], org_unit_ids: Iterable[int]) -> None:
    """Collect the changes of a transaction and refresh once after it commits. A batch whose
    callback is no longer waiting (run, or dropped by a rollback) is not reused."""
    connection = transaction.get_connection()
    batch = getattr(_pending, "batch", None)
    waiting = batch is not None and any(func is batch[3] for _sids, func, *_ in connection.run_on_commit)
    if waiting:
        batch[0].update(element_ids)
        batch[1].update(period_ids)
        batch[2].update(org_unit_ids)
        return
    # Filled before on_commit: outside a transaction (autocommit) the callback runs at once.
    sets: tuple[set, set, set] = (set(element_ids), set(period_ids), set(org_unit_ids))

    def flush() -> None:
        if getattr(_pending, "batch", None) is not None and _pending.batch[3] is flush:
            _pending.batch = None
        if all(sets):
            refresh(*sets)

    _pending.batch = (*sets, flush)
    transaction.on_commit(flush)


def _on_values_changed(sender, element_ids=(), period_ids=(), org_unit_ids=(), **kwargs) -> None:
    # Sent after the write committed: refresh now.
    refresh(element_ids, period_ids, org_unit_ids)


def _on_value_saved(sender, instance: DataValue, **kwargs) -> None:
    # A value written one by one through the ORM (the admin, a script): refresh after commit
    # (also while a rebuild is queued or under way: `refresh` waits for it or leaves it to it).
    if State.objects.filter(built_at__isnull=False).exists():
        _queue([instance.element_id], [instance.period_id], [instance.org_unit_id])


def connect() -> None:
    from weijian.data.signals import values_changed

    values_changed.connect(_on_values_changed, dispatch_uid="analytics-values-changed")
    post_save.connect(_on_value_saved, sender=DataValue, dispatch_uid="analytics-value-saved")
    post_delete.connect(_on_value_saved, sender=DataValue, dispatch_uid="analytics-value-deleted")
