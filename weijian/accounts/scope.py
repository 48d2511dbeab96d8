"""The one place where a user's scope is decided.

Every page and API call asks these functions which org units, data values and tasks a user
may read or change; nothing else filters by role.

    系统管理员 admin   reads and changes everything
    委领导     leader  reads everything, enters no data
    科室       dept    reads all data; changes its own department's plan work
    县区用户   county  reads and enters data for its own subtree
    机构用户   inst    reads and enters data for its own institution (and what lies below it)
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Role

READ_ALL_ROLES = {Role.ADMIN, Role.LEADER, Role.DEPARTMENT}


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def reads_all_orgs(user) -> bool:
    return _active(user) and (user.is_superuser or user.role in READ_ALL_ROLES)


def scope_root(user):
    """The org unit at the top of what this user sees; None for no restriction or no scope."""
    if reads_all_orgs(user):
        return None
    return user.org_unit if _active(user) else None


def orgunit_filter(user, field: str = "") -> Q:
    """A Q object limiting `<field>__path` to the user's readable subtree.

    `field` is the path to an OrgUnit foreign key ("org_unit" on DataValue), empty for
    OrgUnit itself. A user with no scope gets a filter that matches nothing.
    """
    prefix = f"{field}__" if field else ""
    if reads_all_orgs(user):
        return Q()
    if not _active(user) or user.org_unit_id is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}path__startswith": user.org_unit.path})


def readable_orgunits(user, queryset: QuerySet | None = None) -> QuerySet:
    from weijian.orgs.models import OrgUnit

    qs = OrgUnit.objects.all() if queryset is None else queryset
    return qs.filter(orgunit_filter(user))


def writable_orgunits(user, queryset: QuerySet | None = None) -> QuerySet:
    """Org units for which the user may enter or import data."""
    from weijian.orgs.models import OrgUnit

    qs = OrgUnit.objects.all() if queryset is None else queryset
    if not _active(user):
        return qs.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role in (Role.COUNTY, Role.INSTITUTION) and user.org_unit_id:
        return qs.filter(path__startswith=user.org_unit.path)
    return qs.none()


def can_read_org(user, org) -> bool:
    if reads_all_orgs(user):
        return True
    return _active(user) and user.org_unit_id is not None and org.path.startswith(user.org_unit.path)


def can_write_org(user, org) -> bool:
    if not _active(user):
        return False
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return (
        user.role in (Role.COUNTY, Role.INSTITUTION)
        and user.org_unit_id is not None
        and org.path.startswith(user.org_unit.path)
    )


def is_admin(user) -> bool:
    return _active(user) and (user.is_superuser or user.role == Role.ADMIN)


def can_edit_catalogue(user) -> bool:
    return is_admin(user)


# --- Plan work: tasks, targets, 督办, 问题清单 -------------------------------------------------
#
# 委领导 and 科室 read the whole plan (a leader's "my tasks" are those naming him 责任领导);
# a 科室 changes only tasks its department owns or leads; 县区/机构 users see the targets and
# items of their own subtree. Supervision and problem items are read by admin and leaders,
# by the assignee department, and by users whose subtree holds the assignee org unit.

_NOTHING = Q(pk__in=[])


def reads_whole_plan(user) -> bool:
    """Admin, leaders and departments read every task, dashboard and export of a plan."""
    return reads_all_orgs(user)


def _subtree_path(user) -> str | None:
    if not _active(user) or user.org_unit_id is None:
        return None
    return user.org_unit.path


def ancestor_paths(path: str) -> list[str]:
    from weijian.orgs.models import OrgUnit

    step = OrgUnit.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def plan_filter(user) -> Q:
    """Plans a user may open: all for plan readers; for a county/institution user the plans
    whose area contains its unit (or lies inside it)."""
    if reads_whole_plan(user):
        return Q()
    path = _subtree_path(user)
    if path is None:
        return _NOTHING
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
    path = _subtree_path(user)
    if path is None:
        return _NOTHING
    per_unit = Q(**{f"{p}org_unit__isnull": True, f"{p}scope__in": ["county", "township"]})
    own_unit = Q(**{f"{p}org_unit__path__startswith": path})
    area = Q(**{f"{p}plan__org_unit__path__in": ancestor_paths(path)}) | Q(
        **{f"{p}plan__org_unit__isnull": True}
    )
    return area & (per_unit | own_unit) & Q(**{f"{p}active": True})


def task_read_filter(user) -> Q:
    if reads_whole_plan(user):
        return Q()
    if _subtree_path(user) is None:
        return _NOTHING
    return target_read_filter(user, prefix="targets__")


def task_change_filter(user) -> Q:
    """Tasks whose progress the user may report: admin all; a department its own (owner or lead)."""
    if is_admin(user):
        return Q()
    if _active(user) and user.role == Role.DEPARTMENT and user.department_id:
        return Q(taskdepartment__department_id=user.department_id)
    return _NOTHING


def my_task_filter(user) -> Q:
    if not _active(user):
        return _NOTHING
    if user.role == Role.LEADER and user.leader_id:
        return Q(taskleader__leader_id=user.leader_id)
    if user.role == Role.DEPARTMENT and user.department_id:
        return Q(taskdepartment__department_id=user.department_id)
    return _NOTHING


def can_change_task(user, task) -> bool:
    from weijian.plans.models import Task

    return Task.objects.filter(pk=task.pk).filter(task_change_filter(user)).exists()


def _assignee_filter(user, dept_field: str, org_field: str) -> Q:
    if not _active(user):
        return _NOTHING
    if user.is_superuser or user.role in (Role.ADMIN, Role.LEADER):
        return Q()
    if user.role == Role.DEPARTMENT:
        return Q(**{f"{dept_field}_id": user.department_id}) if user.department_id else _NOTHING
    path = _subtree_path(user)
    return Q(**{f"{org_field}__path__startswith": path}) if path else _NOTHING


def supervision_read_filter(user) -> Q:
    """督办 items: admin and leaders all; a department those assigned to it or raised on its
    tasks; a county/institution those assigned to its subtree."""
    q = _assignee_filter(user, "assignee_department", "assignee_org")
    if _active(user) and user.role == Role.DEPARTMENT and user.department_id:
        q |= Q(task__taskdepartment__department_id=user.department_id) | Q(raised_by=user)
    return q


def can_raise_supervision(user) -> bool:
    return _active(user) and (user.is_superuser or user.role in (Role.ADMIN, Role.LEADER))


def can_handle_supervision(user, item) -> bool:
    """The assignee (its department, or a user over its org unit) works the item and replies."""
    if is_admin(user):
        return True
    if not _active(user):
        return False
    if item.assignee_department_id:
        return user.role == Role.DEPARTMENT and user.department_id == item.assignee_department_id
    if item.assignee_org_id:
        return can_write_org(user, item.assignee_org)
    return False


def can_review_supervision(user, item) -> bool:
    """Review and closure (复核, 销号) belong to admin, leaders and whoever raised the item."""
    return can_raise_supervision(user) or (_active(user) and item.raised_by_id == user.pk)


def problem_read_filter(user) -> Q:
    return _assignee_filter(user, "owner_department", "owner_org")


def can_register_problem(user) -> bool:
    return can_raise_supervision(user)


def can_update_problem(user, item) -> bool:
    """The owner records rectification; admin and leaders may too."""
    if can_raise_supervision(user):
        return True
    if not _active(user):
        return False
    if item.owner_department_id:
        return user.role == Role.DEPARTMENT and user.department_id == item.owner_department_id
    return bool(item.owner_org_id) and can_write_org(user, item.owner_org)
