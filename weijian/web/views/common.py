"""Helpers shared by the page views: looking up an org unit within the user's scope."""

from __future__ import annotations

from django.http import Http404

from weijian.orgs.models import OrgUnit


def readable_org_or_404(user, code: str) -> OrgUnit:
    """The unit with this code if the user may read it; 404 otherwise, so a unit outside the
    scope is indistinguishable from one that does not exist."""
    org = OrgUnit.objects.for_user(user).filter(code=(code or "").strip()).first()
    if org is None:
        raise Http404("没有这个机构，或不在您的权限范围内")
    return org


def writable_org_or_404(user, code: str) -> OrgUnit:
    org = OrgUnit.objects.writable_by(user).filter(code=(code or "").strip()).first()
    if org is None:
        raise Http404("没有这个机构，或您无权为它填报数据")
    return org


def indent(org: OrgUnit, top_depth: int) -> str:
    """Label for a unit in a select, indented by its depth below the top of the list."""
    return "\u3000" * max(org.depth - top_depth, 0) + org.name
