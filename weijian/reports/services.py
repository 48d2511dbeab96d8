"""What the report pages and commands do: who may draft for which unit, drafting and storing a
summary or a 排名通报, the PDF preview through LibreOffice, and proofreading uploads."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from weijian.accounts.models import Role
from weijian.accounts.scope import can_read_org, has_role, is_active, is_admin, subtree_q
from weijian.orgs.models import Level, OrgUnit
from weijian.web import dashboard

from . import proofread as proofreading
from .document import Draft, render_docx
from .models import Proofreading, Report


class NotAllowed(Exception):
    """The user may not draft for this unit; the message is for the user."""


class PreviewUnavailable(Exception):
    """No PDF preview: LibreOffice missing or the conversion failed (message for the user)."""


def can_draft_for(user, org: OrgUnit) -> bool:
    """Admin and leaders: any unit; a department: the commission's own unit; a county user: its
    own subtree; an institution user: none (a 工作总结 is an administration's)."""
    if not is_active(user):
        return False
    if is_admin(user) or has_role(user, Role.LEADER):
        return True
    if has_role(user, Role.DEPARTMENT):
        home = dashboard.home_org(user)
        return home is not None and home.pk == org.pk
    if has_role(user, Role.COUNTY):
        return can_read_org(user, org) and org.level <= Level.COUNTY
    return False


def draft_units(user) -> list[OrgUnit]:
    """The units offered in the drafting form."""
    home = dashboard.home_org(user)
    if home is None:
        return []
    units = [home]
    if is_admin(user) or has_role(user, Role.LEADER):
        units += list(
            OrgUnit.objects.filter(path__startswith=home.path, depth=home.depth + 1, level__lte=Level.COUNTY)
        )
    return [u for u in units if can_draft_for(user, u)]


def reports_for(user):
    """Stored drafts the user may open: those of units it may draft for or read."""
    qs = Report.objects.select_related("org_unit", "created_by")
    if is_admin(user) or has_role(user, Role.LEADER, Role.DEPARTMENT):
        return qs
    if has_role(user, Role.COUNTY):
        return qs.filter(subtree_q(user, "org_unit"))
    return qs.none()


def _store(user, draft: Draft, org: OrgUnit, year: int, **extra) -> Report:
    return Report.objects.create(
        kind=draft.kind,
        org_unit=org,
        year=year,
        title=draft.title,
        content=draft.to_json(),
        docx=render_docx(draft),
        created_by=user if getattr(user, "pk", None) else None,
        **extra,
    )


def make_summary(user, org: OrgUnit, year: int, doc_number: str = "") -> Report:
    """Draft and store the summary; with a 发文字号 it gets the red 版头 of a 文件."""
    from .summary import draft_summary

    if user is not None and not can_draft_for(user, org):
        raise NotAllowed("您无权为该单位起草工作总结")
    draft = draft_summary(org, year)
    if doc_number:
        draft.red_header = f"{draft.issuer}文件"
        draft.doc_number = doc_number
    return _store(user, draft, org, year, period_code=str(year))


def make_ranking(user, target, org: OrgUnit, period_code: str) -> Report:
    from weijian.data import periods

    from .ranking import draft_ranking

    if user is not None and not (can_read_org(user, org) and can_draft_for(user, org)):
        raise NotAllowed("您无权为该单位起草排名通报")
    year = periods.parse(period_code).year
    return _store(
        user,
        draft_ranking(target, org, period_code),
        org,
        year,
        period_code=period_code,
        indicator_code=target.code,
    )


def soffice() -> str | None:
    configured = getattr(settings, "REPORTS_SOFFICE", "soffice")
    if Path(configured).is_absolute():
        return configured if Path(configured).exists() else None
    return shutil.which(configured)


def pdf_preview(docx: bytes) -> bytes:
    """The document as PDF by LibreOffice headless. LibreOffice, unlike Word, gives a 3号
    character two cells of a grid pitch narrower than the character (15.8 pt for 16 pt), so
    the preview copy sets the grid pitch to the font size; the Word file keeps its 28-char grid."""
    binary = soffice()
    if binary is None:
        raise PreviewUnavailable(
            "服务器未安装 LibreOffice（soffice），无法生成 PDF 预览；请下载 Word 文件查看。"
        )
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "preview.docx"
        src.write_bytes(_preview_copy(docx))
        try:
            subprocess.run(
                [
                    binary,
                    "--headless",
                    f"-env:UserInstallation=file://{tmp}/profile",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    tmp,
                    str(src),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise PreviewUnavailable("LibreOffice 转换 PDF 失败，请下载 Word 文件查看。") from exc
        out = Path(tmp) / "preview.pdf"
        if not out.exists():
            raise PreviewUnavailable("LibreOffice 未生成 PDF，请下载 Word 文件查看。")
        return out.read_bytes()


def _preview_copy(docx: bytes) -> bytes:
    import io

    import docx as python_docx
    from docx.oxml.ns import qn

    document = python_docx.Document(io.BytesIO(docx))
    for grid in document.element.body.iter(qn("w:docGrid")):
        grid.set(qn("w:charSpace"), "0")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def proofread_upload(user, name: str, data: bytes) -> Proofreading:
    result = proofreading.proofread(data, name, user)
    return Proofreading.objects.create(
        owner=user, name=name[:255], format=result.format, size=len(data), data=data, result=result.to_dict()
    )


def proofreadings_for(user):
    if is_admin(user):
        return Proofreading.objects.all()
    return Proofreading.objects.filter(owner=user) if is_active(user) else Proofreading.objects.none()


# --- the assessment's 通报 (weijian.assessment, when installed) ---------------------------------


def _assessment():
    """The assessment app's models, workflow and exports, or None while it is not installed."""
    from django.apps import apps

    if not apps.is_installed("weijian.assessment"):
        return None
    try:
        from weijian.assessment import exports, workflow
        from weijian.assessment.models import Scheme
    except ImportError:
        return None
    return Scheme, workflow, exports


def assessment_notices(user) -> list:
    """Assessment schemes whose results are final and whose ranking the user may see: their
    通报 is the assessment's own, taken into the reports as it is."""
    found = _assessment()
    if found is None:
        return []
    Scheme, workflow, _ = found
    from .summary import _guarded

    schemes = _guarded(lambda: Scheme.objects.for_user(user).select_related("area").order_by("-year", "name"))
    return [s for s in schemes if s.results_final and workflow.can_see_ranking(user, s)]


def make_assessment_notice(user, scheme_pk: int) -> Report:
    from weijian import textmine

    found = _assessment()
    scheme = next((s for s in assessment_notices(user) if s.pk == scheme_pk), None)
    if found is None or scheme is None:
        raise NotAllowed("没有这个考核方案，或其结果尚未审定、不在您的权限范围内")
    data = found[2].notice_docx(scheme)
    text = textmine.read(data, name="通报.docx").raw
    lines = [line for line in text.split("\n") if line.strip()]
    title = lines[0] if lines else f"关于{scheme.name}结果的通报"
    content = {
        "kind": "ranking",
        "title": title,
        "issuer": f"{scheme.area.name}卫生健康委员会",
        "date": timezone.localdate().isoformat(),
        "blocks": [{"kind": "p", "text": line, "lead": ""} for line in lines[1:]],
        "figures": [],
    }
    return Report.objects.create(
        kind="ranking",
        org_unit=scheme.area,
        year=scheme.year,
        period_code=str(scheme.year),
        indicator_code=f"assessment:{scheme.pk}",
        title=title[:200],
        content=content,
        docx=data,
        created_by=user,
    )
