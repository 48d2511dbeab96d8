"""`units_moved`: sent when a branch of the hierarchy moves under another parent. treebeard
moves a branch by rewriting its paths in bulk, so no unit is saved and `post_save` says
nothing; receivers whose data follow the tree (pre-aggregated totals) listen to this one.
Sent inside the moving transaction, with `unit` (the moved unit, its new path loaded)."""

from __future__ import annotations

import django.dispatch

units_moved = django.dispatch.Signal()
