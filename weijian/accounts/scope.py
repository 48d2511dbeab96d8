"""Roles and the org-unit scope they give: the primitives every app composes into its own
`for_user` querysets. This module knows users, roles and materialized paths, and no other
app's models.

    系统管理员 admin   reads and changes everything
    委领导     leader  reads everything, enters no data
    科室       dept    reads all data; changes its own department's plan work
    县区用户   county  reads and enters data for its own subtree
    机构用户   inst    reads and enters data for its own institution (and what lies below it)

A scope is a subtree of the org-unit hierarchy, named by the path of its root: `subtree_q`
turns it into a filter on any model that reaches an org unit, `can_read_org`/`can_write_org`
judge one unit by its path.
"""

from __future__ import annotations

from django.db.models import Q

from .models import Role

READ_ALL_ROLES = {Role.ADMIN, Role.LEADER, Role.DEPARTMENT}
WRITE_OWN_SUBTREE_ROLES = {Role.COUNTY, Role.INSTITUTION}

NOTHING = Q(pk__in=[])  # matches no row


def is_active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_admin(user) -> bool:
    return is_active(user) and (user.is_superuser or user.role == Role.ADMIN)


def has_role(user, *roles: str) -> bool:
    """An active user holding one of `roles` (a superuser holds none: test `is_admin` first)."""
    return is_active(user) and user.role in roles


def reads_all_orgs(user) -> bool:
    return is_active(user) and (user.is_superuser or user.role in READ_ALL_ROLES)


def can_edit_catalogue(user) -> bool:
    return is_admin(user)


def subtree_path(user) -> str | None:
    """The materialized path of the user's own org unit, None when it has none."""
    if not is_active(user) or user.org_unit_id is None:
        return None
    return user.org_unit.path


def scope_root(user):
    """The org unit at the top of what this user sees; None for no restriction or no scope."""
    if reads_all_orgs(user):
        return None
    return user.org_unit if is_active(user) else None


def _prefixed(field: str) -> str:
    return f"{field}__path__startswith" if field else "path__startswith"


def subtree_q(user, field: str = "") -> Q:
    """A Q object limiting `<field>__path` to the user's readable subtree.

    `field` is the lookup path to an org-unit foreign key ("org_unit" on a data value), empty
    for the org unit itself. Read-all roles get everything; a user with no scope, nothing.
    """
    if reads_all_orgs(user):
        return Q()
    path = subtree_path(user)
    return NOTHING if path is None else Q(**{_prefixed(field): path})


def writable_subtree_q(user, field: str = "") -> Q:
    """Like `subtree_q`, for the units whose data the user may enter or import: admin all,
    county and institution users their own subtree, everyone else nothing."""
    if is_admin(user):
        return Q()
    path = subtree_path(user) if has_role(user, *WRITE_OWN_SUBTREE_ROLES) else None
    return NOTHING if path is None else Q(**{_prefixed(field): path})


def can_read_org(user, org) -> bool:
    if reads_all_orgs(user):
        return True
    path = subtree_path(user)
    return path is not None and org.path.startswith(path)


def can_write_org(user, org) -> bool:
    if is_admin(user):
        return True
    path = subtree_path(user) if has_role(user, *WRITE_OWN_SUBTREE_ROLES) else None
    return path is not None and org.path.startswith(path)
