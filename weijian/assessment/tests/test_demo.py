"""The demo assessment loaded by `weijian demo`: a 31-item 县区 scheme using every rule type,
last year's published, this year's in 申诉 with one veto and one open appeal."""

from datetime import date

import pytest

from weijian.assessment import rules
from weijian.assessment.models import Appeal, AppealStatus, Result, Scheme, Stage
from weijian.demo.loader import load_demo

TODAY = date(2025, 8, 15)


@pytest.fixture
def demo(db):
    return load_demo(today=TODAY, counties=3)


def test_demo_schemes_stages_and_rule_types(demo):
    last, this = Scheme.objects.order_by("year")
    assert (last.year, last.stage, this.year, this.stage) == (2023, Stage.PUBLISHED, 2024, Stage.APPEAL)
    assert this.items.count() == 31
    assert {i.rule["kind"] for i in this.items.all()} == set(rules.RULE_KINDS)
    assert any("考核：2023年度方案已通报" in line for line in demo.lines)


def test_demo_veto_appeal_and_ranking(demo):
    this = Scheme.objects.get(year=2024)
    results = list(Result.objects.filter(scheme=this).select_related("org_unit").order_by("rank"))
    assert len(results) == 3 and [r.rank for r in results] == [1, 2, 3]
    vetoed = [r for r in results if r.veto]
    assert len(vetoed) == 1 and vetoed[0].grade == "不合格" and vetoed[0].rank == 3
    assert "重大医疗安全事件" in vetoed[0].explanation
    appeal = Appeal.objects.get()
    assert appeal.status == AppealStatus.OPEN and appeal.result.org_unit.name == "云川县"
    assert appeal.filed_by.username == "county"
    # Every score explains itself and was computed from a snapshot.
    for r in results:
        for s in r.scores.all():
            assert s.computation and s.computed_at is not None
    # Last year's ranking feeds this year's change.
    assert all(r.totals.get("change_points") is not None for r in results)
