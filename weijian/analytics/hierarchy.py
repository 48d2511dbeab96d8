"""The totals follow the org tree. A unit added or removed changes which units have children,
and a moved branch takes its values to other ancestors: the totals cannot follow such a change
value by value, so it marks them stale (pages compute from the stored values meanwhile) and
queues a rebuild in the worker once the change has committed."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from weijian.orgs.models import OrgUnit
from weijian.orgs.signals import units_moved

from .models import State
from .tasks import rebuild_totals


def hierarchy_changed() -> None:
    if not State.objects.filter(built_at__isnull=False, stale=False).update(stale=True):
        return  # never built, or already stale with a rebuild queued
    transaction.on_commit(rebuild_totals.enqueue)


def _on_unit_changed(sender, instance: OrgUnit, created: bool = True, **kwargs) -> None:
    if created:  # a save that only renames a unit changes no sum
        hierarchy_changed()


def _on_units_moved(sender, unit: OrgUnit, **kwargs) -> None:
    hierarchy_changed()


def connect() -> None:
    post_save.connect(_on_unit_changed, sender=OrgUnit, dispatch_uid="analytics-unit-saved")
    post_delete.connect(_on_unit_changed, sender=OrgUnit, dispatch_uid="analytics-unit-deleted")
    units_moved.connect(_on_units_moved, dispatch_uid="analytics-units-moved")
