"""The background job of the analytics app: rebuild the totals after the hierarchy changed
(a unit added, removed or moved), in the worker (`weijian db_worker`), so the request that
changed the tree does not wait and pages read the totals again once it is done."""

from __future__ import annotations

from django_tasks import task

from .services import rebuild_if_stale


@task(queue_name="default")
def rebuild_totals() -> int:
    """Rebuild the totals when they are stale; returns the number of totals written (0 when
    another rebuild already brought them up to date)."""
    return rebuild_if_stale()
