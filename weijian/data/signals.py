"""`values_changed`: sent once after every committed write of data values (an import applied,
an API post, a form saved), never before the commit and never per row.

Receivers (e.g. pre-aggregated tables) get the distinct ids touched, as sets:
`element_ids`, `period_ids`, `org_unit_ids`. Send it with `notify_values_changed`, which defers
the sending to `transaction.on_commit` so a rolled-back write announces nothing."""

from __future__ import annotations

from collections.abc import Iterable

import django.dispatch
from django.db import transaction

values_changed = django.dispatch.Signal()


def notify_values_changed(
    element_ids: Iterable[int], period_ids: Iterable[int], org_unit_ids: Iterable[int]
) -> None:
    """Send `values_changed` after the current transaction commits (at once outside one)."""
    kwargs = {
        "element_ids": set(element_ids),
        "period_ids": set(period_ids),
        "org_unit_ids": set(org_unit_ids),
    }
    if not any(kwargs.values()):
        return
    transaction.on_commit(lambda: values_changed.send(sender="weijian.data", **kwargs))
