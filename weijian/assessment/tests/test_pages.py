"""Every assessment page and who may open it: a unit sees only its own scores until the scheme
is published, reviewers what they review, admin everything; every action is refused to the
wrong user with a Chinese message and changes nothing."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from weijian import testing
from weijian.accounts.models import Role
from weijian.assessment import workflow
from weijian.assessment.models import Appeal, Evidence, ItemScore, Result, Stage
from weijian.assessment.tests import helpers


@pytest.fixture
def scheme(city, users, reviewer, year):
    return helpers.scheme(city, users["admin"], year, reviewers=[reviewer])


def _client(client, user):
    client.force_login(user)
    return client


def _result(scheme, unit):
    return Result.objects.get(scheme=scheme, org_unit=unit)


def _score(scheme, unit, num):
    return ItemScore.objects.get(result__scheme=scheme, result__org_unit=unit, item__num=num)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_list_shows_a_county_only_its_own_result(client, scheme, city, users):
    helpers.to_stage(scheme, users["admin"], Stage.SELF)
    page = _client(client, users["county"]).get(reverse("assessment:list"))
    assert page.status_code == 200
    mine = list(page.context["mine"])
    assert [r.org_unit for r in mine] == [city.county_a]


def test_a_draft_scheme_is_hidden_from_units(client, scheme, users):
    c = _client(client, users["county"])
    assert c.get(reverse("assessment:scheme", args=[scheme.pk])).status_code == 404


def test_a_reviewer_who_is_not_named_sees_no_scheme(client, scheme, users):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    c = _client(client, users["dept"])  # a department user, not on the scheme's reviewers
    assert c.get(reverse("assessment:scheme", args=[scheme.pk])).status_code == 404
    assert c.get(reverse("assessment:board", args=[scheme.pk])).status_code == 404


def test_reviewer_and_admin_open_board_and_ranking(client, scheme, users, reviewer):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    for user in (users["admin"], reviewer, users["leader"]):
        c = _client(client, user)
        assert c.get(reverse("assessment:board", args=[scheme.pk])).status_code == 200
        assert c.get(reverse("assessment:ranking", args=[scheme.pk])).status_code == 200


def test_county_cannot_see_board_or_ranking_before_publication(client, scheme, users, reviewer, city):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    c = _client(client, users["county"])
    assert c.get(reverse("assessment:board", args=[scheme.pk])).status_code == 403
    assert c.get(reverse("assessment:ranking", args=[scheme.pk])).status_code == 403
    assert c.get(reverse("assessment:export_scores", args=[scheme.pk])).status_code == 403
    for unit in (city.county_a, city.county_b):
        workflow.review(reviewer, _score(scheme, unit, "3"), level="好", reason="好")
    helpers.to_stage(scheme, users["admin"], Stage.PUBLISHED)
    page = c.get(reverse("assessment:ranking", args=[scheme.pk]))
    assert page.status_code == 200
    assert page.context["visible"] == {_result(scheme, city.county_a).pk}, "others' scorecards stay closed"
    assert c.get(reverse("assessment:export_notice", args=[scheme.pk])).status_code == 200


def test_county_cannot_read_another_countys_scorecard(client, scheme, city, users):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    c = _client(client, users["county"])
    own, other = _result(scheme, city.county_a), _result(scheme, city.county_b)
    page = c.get(reverse("assessment:scorecard", args=[own.pk]))
    assert page.status_code == 200 and page.context["shows_rank"] is False
    assert c.get(reverse("assessment:scorecard", args=[other.pk])).status_code == 404
    assert c.get(reverse("assessment:export_feedback", args=[other.pk])).status_code == 404
    s = _score(scheme, city.county_b, "1")
    assert (
        c.get(reverse("assessment:what_if", args=[other.pk]), {"score": s.pk, "value": "99"}).status_code
        == 404
    )
    assert c.get(reverse("assessment:export_feedback", args=[own.pk])).status_code == 200


def test_institution_user_sees_no_county_result(client, scheme, city, users):
    helpers.to_stage(scheme, users["admin"], Stage.SELF)
    c = _client(client, users["inst"])  # 甲县人民医院, below 甲县 but not 甲县 itself
    assert c.get(reverse("assessment:scorecard", args=[_result(scheme, city.county_a).pk])).status_code == 404


def test_self_assessment_with_evidence(client, scheme, city, users):
    helpers.to_stage(scheme, users["admin"], Stage.SELF)
    s = _score(scheme, city.county_a, "3")
    c = _client(client, users["county"])
    f = SimpleUploadedFile("党建台账.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    c.post(
        reverse("assessment:self_assess", args=[s.pk]),
        {"self_points": "9", "self_note": "台账齐全", "file": f},
    )
    s.refresh_from_db()
    assert s.self_points == D(9) and s.self_note == "台账齐全"
    assert [e.name for e in s.evidence.all()] == ["党建台账.pdf"]
    ev = s.evidence.get()
    assert c.get(reverse("assessment:evidence", args=[ev.pk])).status_code == 200
    other = _client(client, users["other_county"])
    assert other.get(reverse("assessment:evidence", args=[ev.pk])).status_code == 404


@pytest.mark.parametrize(
    "name, body, reason",
    [
        ("宏.exe", b"MZ", "类型不能作为佐证材料"),
        ("空.pdf", b"", "空文件"),
    ],
)
def test_bad_evidence_is_refused_with_the_file_named(client, scheme, city, users, name, body, reason):
    helpers.to_stage(scheme, users["admin"], Stage.SELF)
    s = _score(scheme, city.county_a, "3")
    c = _client(client, users["county"])
    page = c.post(
        reverse("assessment:self_assess", args=[s.pk]),
        {"self_points": "", "file": SimpleUploadedFile(name, body)},
        follow=True,
    )
    text = _messages(page)
    assert name in text and reason in text
    assert not Evidence.objects.exists()


def test_oversized_evidence_is_refused(client, scheme, city, users, settings, monkeypatch):
    from weijian.assessment import views

    monkeypatch.setattr(views, "MAX_EVIDENCE_BYTES", 10)
    helpers.to_stage(scheme, users["admin"], Stage.SELF)
    s = _score(scheme, city.county_a, "3")
    page = _client(client, users["county"]).post(
        reverse("assessment:self_assess", args=[s.pk]),
        {"file": SimpleUploadedFile("大.pdf", b"x" * 11)},
        follow=True,
    )
    assert "大.pdf" in _messages(page) and "超过" in _messages(page)
    assert not Evidence.objects.exists()


def test_self_points_out_of_range_are_refused(client, scheme, city, users):
    helpers.to_stage(scheme, users["admin"], Stage.SELF)
    s = _score(scheme, city.county_a, "3")
    page = _client(client, users["county"]).post(
        reverse("assessment:self_assess", args=[s.pk]), {"self_points": "12"}, follow=True
    )
    assert "0至10分之间" in _messages(page)
    s.refresh_from_db()
    assert s.self_points is None


def test_county_cannot_self_assess_another_county(client, scheme, city, users):
    helpers.to_stage(scheme, users["admin"], Stage.SELF)
    s = _score(scheme, city.county_b, "3")
    assert (
        _client(client, users["county"])
        .post(reverse("assessment:self_assess", args=[s.pk]), {"self_points": "10"})
        .status_code
        == 404
    )
    s.refresh_from_db()
    assert s.self_points is None


def test_a_reviewer_cannot_score_its_own_county(client, scheme, city, users):
    reviewer_in_county = testing.make_user("t_county_reviewer", Role.COUNTY, org_unit=city.county_a)
    scheme.reviewers.add(reviewer_in_county)
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    s = _score(scheme, city.county_a, "3")
    page = _client(client, reviewer_in_county).post(
        reverse("assessment:review", args=[s.pk]), {"level": "好", "reason": "好"}, follow=True
    )
    assert "不能审核本单位" in _messages(page)
    assert not s.reviews.exists()
    # The same user may review the other county.
    other = _score(scheme, city.county_b, "3")
    _client(client, reviewer_in_county).post(
        reverse("assessment:review", args=[other.pk]), {"level": "好", "reason": "资料齐全"}
    )
    assert other.reviews.count() == 1


def test_a_county_user_cannot_review(client, scheme, city, users):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    s = _score(scheme, city.county_a, "3")
    page = _client(client, users["county"]).post(
        reverse("assessment:review", args=[s.pk]), {"level": "好", "reason": "自评好"}, follow=True
    )
    assert "不是本方案的审核人员" in _messages(page)
    assert not s.reviews.exists()


def test_review_needs_a_reason(client, scheme, city, users, reviewer):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    s = _score(scheme, city.county_a, "3")
    page = _client(client, reviewer).post(
        reverse("assessment:review", args=[s.pk]), {"level": "一般", "reason": " "}, follow=True
    )
    assert "请填写评分理由" in _messages(page)
    assert not s.reviews.exists()


def _to_appeal(scheme, city, users, reviewer):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    for unit in (city.county_a, city.county_b):
        workflow.review(reviewer, _score(scheme, unit, "3"), level="一般", reason="台账不全")
    helpers.to_stage(scheme, users["admin"], Stage.PREVIEW)


def test_appeal_is_decided_by_someone_other_than_the_unit_and_the_scorer(
    client, scheme, city, users, reviewer
):
    _to_appeal(scheme, city, users, reviewer)
    s = _score(scheme, city.county_a, "3")
    county = _client(client, users["county"])
    county.post(
        reverse("assessment:appeal_new", args=[s.pk]), {"text": "台账已补齐，见附件", "requested": "10"}
    )
    appeal = Appeal.objects.get()
    # The county cannot decide its own appeal.
    page = county.post(
        reverse("assessment:appeal", args=[appeal.pk]),
        {"outcome": "upheld", "new_points": "10", "opinion": "同意"},
        follow=True,
    )
    assert "只有考核管理人员" in _messages(page)
    # The reviewer who gave the score cannot decide it either.
    page = _client(client, reviewer).post(
        reverse("assessment:appeal", args=[appeal.pk]),
        {"outcome": "upheld", "new_points": "10", "opinion": "同意"},
        follow=True,
    )
    assert "申诉须由其他人员处理" in _messages(page)
    # An opinion is required.
    admin = _client(client, users["admin"])
    page = admin.post(
        reverse("assessment:appeal", args=[appeal.pk]),
        {"outcome": "upheld", "new_points": "10", "opinion": ""},
        follow=True,
    )
    assert "请填写处理意见" in _messages(page)
    appeal.refresh_from_db()
    assert appeal.status == "open"
    admin.post(
        reverse("assessment:appeal", args=[appeal.pk]),
        {"outcome": "upheld", "new_points": "10", "opinion": "经复核台账齐全"},
    )
    appeal.refresh_from_db()
    s.refresh_from_db()
    assert appeal.status == "upheld" and appeal.handler == users["admin"]
    assert s.points == D(10)
    assert s.changes.last().reason.startswith("申诉成立")


def test_other_county_cannot_appeal_or_see_the_appeal(client, scheme, city, users, reviewer):
    _to_appeal(scheme, city, users, reviewer)
    s = _score(scheme, city.county_a, "3")
    other = _client(client, users["other_county"])
    assert other.post(reverse("assessment:appeal_new", args=[s.pk]), {"text": "代为申诉"}).status_code == 404
    workflow.file_appeal(users["county"], s, "理由")
    appeal = Appeal.objects.get()
    assert other.get(reverse("assessment:appeal", args=[appeal.pk])).status_code == 404
    listing = other.get(reverse("assessment:appeals", args=[scheme.pk]))
    assert listing.status_code == 200 and list(listing.context["appeals"]) == []


def test_appeal_after_the_deadline_is_refused(scheme, city, users, reviewer):
    from datetime import timedelta

    _to_appeal(scheme, city, users, reviewer)
    s = _score(scheme, city.county_a, "3")
    scheme.refresh_from_db()
    later = scheme.appeal_deadline + timedelta(days=1)
    with pytest.raises(workflow.WorkflowError, match="申诉期已于"):
        workflow.file_appeal(users["county"], s, "迟到的申诉", today=later)


def test_only_admin_advances_edits_or_imports(client, scheme, users, reviewer):
    for user in (users["county"], reviewer, users["leader"]):
        c = _client(client, user)
        c.post(reverse("assessment:advance", args=[scheme.pk]))
        assert c.get(reverse("assessment:item_edit", args=[scheme.items.first().pk])).status_code in (
            403,
            404,
        )
        assert c.get(reverse("assessment:import")).status_code == 403
    scheme.refresh_from_db()
    assert scheme.stage == Stage.DRAFT


def test_item_editor_regenerates_the_criterion(client, scheme, users):
    item = scheme.items.get(num="1")
    c = _client(client, users["admin"])
    form = {"points": "20", "p_target": "96", "p_unit": "%", "p_higher_is_better": "1", "p_inclusive": "1"}
    preview = c.post(reverse("assessment:item_edit", args=[item.pk]), {**form, "preview": "1"})
    assert "达到96%及以上得满分" in preview.content.decode()
    item.refresh_from_db()
    assert item.rule["target"] == "95", "a preview saves nothing"
    c.post(reverse("assessment:item_edit", args=[item.pk]), {**form, "name": item.name})
    item.refresh_from_db()
    assert item.rule["target"] == "96" and item.criterion.startswith("达到96%及以上得满分")
    bad = c.post(
        reverse("assessment:item_edit", args=[item.pk]), {**form, "p_target": "九十", "preview": "1"}
    )
    assert "目标值应为数字" in bad.content.decode()


def test_a_locked_scheme_refuses_edits_with_a_message(client, scheme, users):
    helpers.to_stage(scheme, users["admin"], Stage.ISSUED)
    item = scheme.items.get(num="1")
    page = _client(client, users["admin"]).post(
        reverse("assessment:item_edit", args=[item.pk]), {"points": "25", "p_target": "95"}
    )
    assert "新建版本" in page.content.decode()
    item.refresh_from_db()
    assert item.points == D(20)


def test_review_stage_needs_every_qualitative_review(scheme, city, users):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    with pytest.raises(workflow.WorkflowError, match="评审未完成"):
        workflow.advance(scheme, users["admin"])


def test_what_if_form_answers_on_the_scorecard(client, scheme, city, users, reviewer):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    r = _result(scheme, city.county_b)
    s = _score(scheme, city.county_b, "1")
    page = _client(client, users["other_county"]).get(
        reverse("assessment:what_if", args=[r.pk]), {"score": s.pk, "value": "95"}
    )
    body = page.content.decode()
    assert page.status_code == 200 and "仅为测算" in body and "名次" not in body
    bad = _client(client, users["other_county"]).get(
        reverse("assessment:what_if", args=[r.pk]), {"score": s.pk, "value": "abc"}
    )
    assert "应为数字" in bad.content.decode()


def test_the_item_editor_names_the_rule_and_its_parameters_in_chinese(client, scheme, users):
    item = scheme.items.get(num="1")
    page = (
        _client(client, users["admin"]).get(reverse("assessment:item_edit", args=[item.pk])).content.decode()
    )
    for words in ("达标计分", "目标值", "数值越高越好", "数据缺失时", "按0分计", "数据来源", "免疫规划"):
        assert words in page
    for code in ("higher_is_better <", ">target<", "评分规则：threshold", ">missing "):
        assert code not in page


def test_the_editor_switches_an_items_rule_type(client, scheme, users):
    item = scheme.items.get(num="1")
    c = _client(client, users["admin"])
    url = reverse("assessment:item_edit", args=[item.pk])
    shown = c.post(url, {"switch": "1", "kind": "linear", "points": "20"}).content.decode()
    assert "每档扣分" in shown and "不足一档时" in shown
    item.refresh_from_db()
    assert item.rule["kind"] == "threshold", "switching only shows the new type's parameters"
    form = {"kind": "linear", "points": "20", "p_target": "95", "p_unit": "%", "p_per": "1"}
    c.post(
        url, {**form, "p_gap_unit": "百分点", "p_deduct": "2", "p_steps": "ceil", "p_higher_is_better": "1"}
    )
    item.refresh_from_db()
    assert item.rule["kind"] == "linear" and item.rule["deduct"] == "2" and item.rule["target"] == "95"
    assert "每低1个百分点扣2分" in item.criterion


def test_an_admin_adds_and_deletes_items_of_a_draft_scheme_only(client, scheme, users, reviewer):
    from weijian.assessment.models import Item

    category = scheme.categories.get(name="综合管理")
    form = {
        "category": category.pk,
        "num": "6",
        "name": "家庭医生签约服务",
        "points": "5",
        "kind": "threshold",
    }
    for other in (users["county"], reviewer, users["leader"]):
        assert _client(client, other).post(
            reverse("assessment:item_new", args=[scheme.pk]), form
        ).status_code in (
            403,
            404,
        )
    c = _client(client, users["admin"])
    added = c.post(reverse("assessment:item_new", args=[scheme.pk]), form)
    item = Item.objects.get(scheme=scheme, name="家庭医生签约服务")
    assert added.url == reverse("assessment:item_edit", args=[item.pk])
    assert item.points == D(5) and item.rule["kind"] == "threshold" and item.category == category
    refused = c.post(
        reverse("assessment:item_new", args=[scheme.pk]), {**form, "points": "五分"}, follow=True
    )
    assert "“分值”应为数字" in _messages(refused)
    kept = c.post(reverse("assessment:item_delete", args=[item.pk]), follow=True)
    assert "确认删除" in _messages(kept) and Item.objects.filter(pk=item.pk).exists()
    for other in (users["county"], reviewer, users["leader"]):
        response = _client(client, other).post(
            reverse("assessment:item_delete", args=[item.pk]), {"confirm": "1"}
        )
        assert response.status_code in (403, 404) and Item.objects.filter(pk=item.pk).exists()
    c = _client(client, users["admin"])
    c.post(reverse("assessment:item_delete", args=[item.pk]), {"confirm": "1"})
    assert not Item.objects.filter(pk=item.pk).exists()
    helpers.to_stage(scheme, users["admin"], Stage.ISSUED)
    locked = c.post(reverse("assessment:item_new", args=[scheme.pk]), form, follow=True)
    assert "新建版本" in _messages(locked) and not Item.objects.filter(scheme=scheme, num="6").exists()
    first = scheme.items.get(num="1")
    c.post(reverse("assessment:item_delete", args=[first.pk]), {"confirm": "1"})
    assert Item.objects.filter(pk=first.pk).exists()


def test_the_editor_answers_a_bad_rule_type_or_parameter_with_the_form_as_typed(client, scheme, users):
    item = scheme.items.get(num="1")
    c = _client(client, users["admin"])
    url = reverse("assessment:item_edit", args=[item.pk])
    page = c.post(url, {"kind": "nonsense", "points": "20"})
    assert page.status_code == 200 and "请选择评分规则类型" in page.content.decode()
    typed = {"kind": "threshold", "points": "20", "p_target": "九十五", "p_applies_to": "县、区"}
    page = c.post(url, typed).content.decode()
    assert "目标值应为数字" in page and 'value="九十五"' in page and 'value="县、区"' in page
    item.refresh_from_db()
    assert item.rule["target"] == "95"
