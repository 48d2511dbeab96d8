"""Org pages: the user's subtree as a collapsible tree, one unit's details, org groups, and
the hierarchy's import/export for administrators."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from weijian.accounts.scope import can_write_org, is_admin, scope_root, subtree_q
from weijian.orgs.models import OrgGroup, OrgUnit, ancestor_paths

from .common import readable_org_or_404


def _nest(units: list[OrgUnit]) -> list[dict]:
    """Turn a path-ordered list of units into nested {unit, children} nodes."""
    roots: list[dict] = []
    stack: list[dict] = []
    for unit in units:
        node = {"unit": unit, "children": []}
        while stack and not unit.path.startswith(stack[-1]["unit"].path):
            stack.pop()
        (stack[-1]["children"] if stack else roots).append(node)
        stack.append(node)
    return roots


def org_tree(request: HttpRequest) -> HttpResponse:
    units = list(OrgUnit.objects.for_user(request.user).filter(active=True))
    root = scope_root(request.user)
    groups = (
        OrgGroup.objects.annotate(in_scope=Count("members", filter=subtree_q(request.user, "members")))
        .filter(in_scope__gt=0)
        .order_by("code")
    )
    return render(
        request,
        "web/org_tree.html",
        {
            "tree": _nest(units),
            "unit_count": len(units),
            "root": root,
            "groups": groups,
            "can_manage": is_admin(request.user),
        },
    )


def org_detail(request: HttpRequest, code: str) -> HttpResponse:
    org = readable_org_or_404(request.user, code)
    children = OrgUnit.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("code")
    groups = org.groups.order_by("code")
    # The breadcrumb shows only the ancestors the user may open.
    ancestors = OrgUnit.objects.for_user(request.user).filter(path__in=ancestor_paths(org.path)[:-1])
    return render(
        request,
        "web/org_detail.html",
        {
            "org": org,
            "children": children,
            "groups": groups,
            "ancestors": ancestors,
            "subtree_count": org.subtree().filter(~Q(pk=org.pk)).count(),
            "can_enter": can_write_org(request.user, org),
        },
    )


def org_io(request: HttpRequest) -> HttpResponse:
    """Import and export the hierarchy by code (administrators only): the result page lists
    every rejected row with its column and reason."""
    if not is_admin(request.user):
        raise PermissionDenied("只有系统管理员可以导入或导出机构")
    from weijian.orgs import io as orgs_io

    fmt = request.GET.get("export")
    if fmt:
        if fmt not in ("xlsx", "csv"):
            messages.error(request, _("不支持的导出格式“%(fmt)s”，请选择 Excel 或 CSV") % {"fmt": fmt})
        else:
            content = orgs_io.export_orgs(fmt)
            ctype = (
                "text/csv; charset=utf-8"
                if fmt == "csv"
                else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            response = HttpResponse(content, content_type=ctype)
            response["Content-Disposition"] = f'attachment; filename="orgunits.{fmt}"'
            return response
    result = None
    file_name = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要导入的机构文件（Excel 或 CSV）"))
        else:
            file_name = upload.name
            result = orgs_io.import_orgs(upload.read(), upload.name, request.user)
            if result.errors:
                messages.error(
                    request,
                    _("文件“%(file)s”有 %(n)s 处错误，未导入任何机构")
                    % {"file": upload.name, "n": len(result.errors)},
                )
            else:
                messages.success(
                    request,
                    _("文件“%(file)s”已导入：新增 %(created)s 个，更新 %(updated)s 个")
                    % {"file": upload.name, "created": result.created, "updated": result.updated},
                )
    return render(request, "web/org_io.html", {"result": result, "file_name": file_name})
