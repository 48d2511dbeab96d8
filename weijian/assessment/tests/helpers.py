"""Factories for assessment tests: a small scheme over the test city's two counties
(甲县, 乙区) with one item per data source, and a walk through the workflow."""

from __future__ import annotations

from decimal import Decimal

from weijian import testing
from weijian.assessment import services, workflow
from weijian.assessment.models import Category, Item, Kind, Scheme, Source, Stage


def figures(city, year: int) -> dict:
    """免疫规划疫苗接种率: 甲县 960/1000 = 96%, 乙区 900/1000 = 90%; last year 94% and 91%."""
    done = testing.element("IMM_DONE", "免疫规划疫苗接种人数", "人")
    due = testing.element("IMM_DUE", "适龄儿童数", "人")
    imm = testing.indicator("IMM_RATE", "免疫规划疫苗接种率", "IMM_DONE", "IMM_DUE", 100, "%")
    for unit, now, before in ((city.county_a, 960, 940), (city.county_b, 900, 910)):
        testing.value(done, unit, str(year), now)
        testing.value(due, unit, str(year), 1000)
        testing.value(done, unit, str(year - 1), before)
        testing.value(due, unit, str(year - 1), 1000)
    return {"imm": imm, "done": done, "due": due}


def scheme(city, admin, year: int, reviewers=(), **kw) -> Scheme:
    """县区考核 with five items: a threshold and an improvement on the vaccination rate, a
    reviewer-scored item, a deduction for overdue 督办, and a one-vote veto."""
    figs = figures(city, year)
    kw.setdefault("grading", {"cutoffs": [[36, "优秀"], [32, "良好"], [24, "合格"]]})
    s = Scheme.objects.create(
        name=f"{year}年度县区卫生健康工作目标考核",
        year=year,
        kind=Kind.COUNTY,
        area=city.city,
        created_by=admin,
        **kw,
    )
    s.reviewers.set(reviewers)
    a = Category.objects.create(scheme=s, name="公共卫生", points=Decimal(30), order=1)
    b = Category.objects.create(scheme=s, name="综合管理", points=Decimal(10), order=2)

    def item(cat, num, name, points, source, rule, **extra):
        return services.save_item(
            Item(
                scheme=s,
                category=cat,
                num=num,
                name=name,
                points=Decimal(points),
                source=source,
                rule=rule,
                order=int(num),
                **extra,
            )
        )

    item(
        a,
        "1",
        "免疫规划疫苗接种率",
        20,
        Source.INDICATOR,
        {"kind": "threshold", "target": "95", "unit": "%"},
        indicator=figs["imm"],
    )
    item(
        a,
        "2",
        "接种率比上年提高",
        10,
        Source.INDICATOR,
        {"kind": "improvement", "by": "1", "by_unit": "百分点", "unit": "%"},
        indicator=figs["imm"],
    )
    item(b, "3", "党建与行风建设", 10, Source.REVIEW, {"kind": "qualitative"})
    item(
        b,
        "4",
        "督办事项办理",
        5,
        Source.SUPERVISION,
        {"kind": "deduction", "source": "overdue", "per": "1"},
        is_bonus=True,
    )
    item(
        b,
        "5",
        "重大医疗安全事件",
        0,
        Source.MANUAL,
        {"kind": "veto", "condition": "发生重大医疗安全事件"},
        is_bonus=True,
    )
    return s


def to_stage(s: Scheme, admin, stage: str) -> Scheme:
    while s.stage != stage:
        workflow.advance(s, admin)
        s.refresh_from_db()
    return s


__all__ = ["figures", "scheme", "to_stage", "Stage"]
