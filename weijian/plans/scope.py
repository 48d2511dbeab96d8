"""Who reads and changes which plan work: plans, tasks, targets, 督办 and 问题清单.

Composed from the role and subtree primitives of accounts.scope; the querysets in
plans.models apply these filters in their `for_user`, `changeable_by` and `mine`.

委领导 and 科室 read the whole plan (a leader's "my tasks" are those naming him 责任领导);
a 科室 changes only tasks its department owns or leads; 县区/机构 users see the targets and
items of their own subtree. Supervision and problem items are read by admin and leaders,
by the assignee department, and by users whose subtree holds the assignee org unit.
"""

from __future__ import annotations

from django.db.models import Q

from weijian.accounts.models import Role
from weijian.accounts.scope import (
    NOTHING,
    can_write_org,
    has_role,
    is_active,
    is_admin,
    reads_all_orgs,
    subtree_path,
)
from weijian.orgs.models import ancestor_paths


def reads_whole_plan(user) -> bool:
    """Admin, leaders and departments read every task, dashboard and export of a plan."""
    return reads_all_orgs(user)


def _own_department(user) -> int | None:
    """The department of a 科室 user, None for anyone else."""
    return user.department_id if has_role(user, Role.DEPARTMENT) else None


def plan_filter(user) -> Q:
    """Plans a user may open: all for plan readers; for a county/institution user the plans
    whose area contains its unit (or lies inside it)."""
    if reads_whole_plan(user):
        return Q()
    path = subtree_path(user)
    if path is None:
        return NOTHING
    return (
        Q(org_unit__path__in=ancestor_paths(path))
        | Q(org_unit__path__startswith=path)
        | Q(org_unit__isnull=True)
    )


def target_read_filter(user, prefix: str = "") -> Q:
    """Targets a user may read. A county/institution user sees the targets every unit must
    meet (各县/各乡镇) and those split for a unit of its subtree, never the city-wide ones."""
    p = prefix
    if reads_whole_plan(user):
        return Q()
    path = subtree_path(user)
    if path is None:
        return NOTHING
    per_unit = Q(**{f"{p}org_unit__isnull": True, f"{p}scope__in": ["county", "township"]})
    own_unit = Q(**{f"{p}org_unit__path__startswith": path})
    area = Q(**{f"{p}plan__org_unit__path__in": ancestor_paths(path)}) | Q(
        **{f"{p}plan__org_unit__isnull": True}
    )
    return area & (per_unit | own_unit) & Q(**{f"{p}active": True})


def task_read_filter(user) -> Q:
    if reads_whole_plan(user):
        return Q()
    if subtree_path(user) is None:
        return NOTHING
    return target_read_filter(user, prefix="targets__")


def task_change_filter(user) -> Q:
    """Tasks whose progress the user may report: admin all; a department its own (owner or lead)."""
    if is_admin(user):
        return Q()
    dept = _own_department(user)
    return Q(taskdepartment__department_id=dept) if dept else NOTHING


def my_task_filter(user) -> Q:
    if has_role(user, Role.LEADER) and user.leader_id:
        return Q(taskleader__leader_id=user.leader_id)
    dept = _own_department(user)
    return Q(taskdepartment__department_id=dept) if dept else NOTHING


def can_change_task(user, task) -> bool:
    if is_admin(user):
        return True
    dept = _own_department(user)
    return bool(dept) and task.taskdepartment_set.filter(department_id=dept).exists()


def _assignee_filter(user, dept_field: str, org_field: str) -> Q:
    if not is_active(user):
        return NOTHING
    if user.is_superuser or user.role in (Role.ADMIN, Role.LEADER):
        return Q()
    if user.role == Role.DEPARTMENT:
        return Q(**{f"{dept_field}_id": user.department_id}) if user.department_id else NOTHING
    path = subtree_path(user)
    return Q(**{f"{org_field}__path__startswith": path}) if path else NOTHING


def supervision_read_filter(user) -> Q:
    """督办 items: admin and leaders all; a department those assigned to it or raised on its
    tasks; a county/institution those assigned to its subtree."""
    q = _assignee_filter(user, "assignee_department", "assignee_org")
    dept = _own_department(user)
    if dept:
        q |= Q(task__taskdepartment__department_id=dept) | Q(raised_by=user)
    return q


def can_raise_supervision(user) -> bool:
    return is_admin(user) or has_role(user, Role.LEADER)


def can_handle_supervision(user, item) -> bool:
    """The assignee (its department, or a user over its org unit) works the item and replies."""
    if is_admin(user):
        return True
    if not is_active(user):
        return False
    if item.assignee_department_id:
        return _own_department(user) == item.assignee_department_id
    if item.assignee_org_id:
        return can_write_org(user, item.assignee_org)
    return False


def can_review_supervision(user, item) -> bool:
    """Review and closure (复核, 销号) belong to admin, leaders and whoever raised the item."""
    return can_raise_supervision(user) or (is_active(user) and item.raised_by_id == user.pk)


def problem_read_filter(user) -> Q:
    return _assignee_filter(user, "owner_department", "owner_org")


def can_register_problem(user) -> bool:
    return can_raise_supervision(user)


def can_update_problem(user, item) -> bool:
    """The owner records rectification; admin and leaders may too."""
    if can_raise_supervision(user):
        return True
    if not is_active(user):
        return False
    if item.owner_department_id:
        return _own_department(user) == item.owner_department_id
    return bool(item.owner_org_id) and can_write_org(user, item.owner_org)
