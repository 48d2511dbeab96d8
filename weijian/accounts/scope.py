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
