"""Who may import a work plan: admin and 科室 users import, correct and confirm (a department's
import is audited); 委领导, 县区 and 机构 users get a page in Chinese saying who may, on every
import page and endpoint; a draft belongs to its uploader alone."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from weijian.accounts.models import AuditEvent
from weijian.plans.models import Plan, PlanDraft
from weijian.plans.tests import helpers

YEAR = 2030


def _endpoints(draft: PlanDraft, plan: Plan) -> list[tuple[str, str, dict]]:
    g = draft.proposal["targets"][0]["key"]
    t = draft.proposal["tasks"][0]["key"]
    return [
        ("get", reverse("plans:import"), {}),
        ("post", reverse("plans:import"), {}),
        ("get", reverse("plans:revise", args=[plan.pk]), {}),
        ("get", reverse("plans:draft", args=[draft.pk]), {}),
        ("post", reverse("plans:draft_target", args=[draft.pk, g]), {"value": "1"}),
        ("post", reverse("plans:draft_split", args=[draft.pk, g]), {}),
        ("post", reverse("plans:draft_promote", args=[draft.pk, 0]), {}),
        ("post", reverse("plans:draft_task", args=[draft.pk, t]), {"title": "x"}),
        ("post", reverse("plans:draft_department", args=[draft.pk]), {"name": "x", "choice": ""}),
        ("post", reverse("plans:draft_confirm", args=[draft.pk]), {}),
        ("post", reverse("plans:draft_discard", args=[draft.pk]), {}),
    ]


@pytest.mark.parametrize("role", ["leader", "county", "inst"])
def test_roles_that_do_not_import_get_a_chinese_page_on_every_import_endpoint(client, users, plan, role):
    draft = helpers.draft_for(users["admin"], YEAR)
    client.force_login(users[role])
    for method, url, data in _endpoints(draft, plan):
        r = getattr(client, method)(url, data)
        assert r.status_code == 403, (method, url)
        body = r.content.decode()
        assert "只有系统管理员和委机关科室可以导入" in body, url
    # Nothing changed: the draft is whole, no plan was added.
    assert PlanDraft.objects.get(pk=draft.pk).proposal == draft.proposal
    assert Plan.objects.count() == 1


def test_htmx_endpoint_answers_a_fragment_not_a_page(client, users, plan):
    draft = helpers.draft_for(users["admin"], YEAR)
    client.force_login(users["leader"])
    key = draft.proposal["targets"][0]["key"]
    r = client.post(
        reverse("plans:draft_target", args=[draft.pk, key]), {"value": "1"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 403 and "<html" not in r.content.decode() and 'role="alert"' in r.content.decode()


def test_a_department_user_imports_corrects_and_confirms_and_the_import_is_audited(client, users, cat):
    client.force_login(users["dept"])
    assert client.get(reverse("plans:import")).status_code == 200
    upload = SimpleUploadedFile("要点.txt", helpers.PLAN_TEXT.encode("gb18030"))
    r = client.post(reverse("plans:import"), {"file": upload, "year": date.today().year})
    draft = PlanDraft.objects.get(user=users["dept"])
    assert r.status_code == 302 and r.url == reverse("plans:draft", args=[draft.pk])
    assert client.get(r.url).status_code == 200
    task = draft.proposal["tasks"][0]
    r = client.post(
        reverse("plans:draft_task", args=[draft.pk, task["key"]]),
        {"title": task["title"], "leaders": "张明", "departments": "基层卫生健康科", "lead_departments": ""},
    )
    assert r.status_code == 200
    r = client.post(reverse("plans:draft_confirm", args=[draft.pk]))
    plan = Plan.objects.get()
    assert r.status_code == 302 and plan.created_by == users["dept"]
    log = AuditEvent.objects.filter(action="import").latest("pk")
    assert log.user == users["dept"] and "基层卫生健康科" in log.detail


def test_a_draft_is_its_uploaders_alone(client, users, plan):
    draft = helpers.draft_for(users["admin"], YEAR)
    client.force_login(users["dept"])
    for method, url, data in _endpoints(draft, plan)[3:]:
        r = getattr(client, method)(url, data)
        assert r.status_code == 404, url
    assert PlanDraft.objects.filter(pk=draft.pk).exists()
