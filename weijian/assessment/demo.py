"""The demo assessment: a 县区 scheme of our own writing (31 items, every rule type) for the last
two complete demo years, scored on the demo city's data through the same services and workflow
the pages use.

* Last year's scheme is taken all the way to 通报 (published), so this year's ranking shows the
  change since last year.
* This year's scheme stands in 申诉: one county is vetoed (重大医疗安全事件), the demo county
  (云川县, the `county` account) has filed an appeal that awaits a decision, and evidence, reviews
  and checked figures are in place.

Everything is derived from the demo counties' fixed quality figures and the data, never from a
random draw, so two loads give the same scores.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile

from weijian.accounts.models import Role, User
from weijian.indicators.models import Indicator
from weijian.orgs.models import Level, OrgUnit

from . import services, workflow
from .models import Category, Evidence, Item, ItemScore, Kind, Result, Scheme, Source

# (category, [(name, points, source, indicator code or "", rule)]) — our own wording throughout.
ITEMS: list[tuple[str, list[tuple[str, int, str, str, dict]]]] = [
    (
        "公共卫生服务",
        [
            (
                "适龄儿童免疫规划疫苗接种率",
                4,
                Source.INDICATOR,
                "IMM_RATE",
                {"kind": "threshold", "target": "95"},
            ),
            (
                "居民电子健康档案建档率",
                3,
                Source.INDICATOR,
                "EHR_RATE",
                {"kind": "proportional", "target": "90"},
            ),
            (
                "高血压患者规范管理率",
                4,
                Source.INDICATOR,
                "HTN_STD_RATE",
                {"kind": "linear", "target": "70", "per": "1", "deduct": "0.5", "steps": "ceil"},
            ),
            (
                "2型糖尿病患者规范管理率",
                4,
                Source.INDICATOR,
                "DM_STD_RATE",
                {"kind": "linear", "target": "70", "per": "1", "deduct": "0.5"},
            ),
            (
                "65岁及以上老年人健康管理率",
                4,
                Source.INDICATOR,
                "ELDERLY_MGMT_RATE",
                {
                    "kind": "bands",
                    "bands": [
                        {"lower": "70", "upper": None, "points": "4"},
                        {"lower": "65", "upper": "70", "points": "3"},
                        {"lower": "60", "upper": "65", "points": "2"},
                    ],
                },
            ),
            (
                "0-6岁儿童健康管理率",
                3,
                Source.INDICATOR,
                "CHILD_MGMT_RATE",
                {"kind": "interpolation", "floor": "85", "target": "92"},
            ),
            (
                "孕产妇系统管理率",
                3,
                Source.INDICATOR,
                "MAT_SYS_RATE",
                {"kind": "threshold", "target": "90", "partial": "1"},
            ),
            (
                "严重精神障碍患者规范管理率",
                3,
                Source.INDICATOR,
                "SMI_STD_RATE",
                {"kind": "proportional", "target": "85"},
            ),
            (
                "肺结核患者成功治疗率",
                3,
                Source.INDICATOR,
                "TB_SUCCESS_RATE",
                {"kind": "threshold", "target": "90"},
            ),
            (
                "居民健康素养水平提升",
                3,
                Source.INDICATOR,
                "HEALTH_LITERACY",
                {"kind": "improvement", "by": "2", "by_unit": "百分点", "missing": "excluded"},
            ),
            (
                "家庭医生签约服务覆盖率",
                3,
                Source.INDICATOR,
                "FD_COVERAGE",
                {"kind": "rank", "mode": "step", "step": "0.5", "scope": "全市各县区"},
            ),
            (
                "县域重点人群签约服务覆盖率",
                3,
                Source.INDICATOR,
                "FD_KEY_COVERAGE",
                {"kind": "interpolation", "floor": "65", "target": "80", "applies_to": ["县", "市"]},
            ),
        ],
    ),
    (
        "妇幼健康",
        [
            (
                "孕产妇死亡率",
                4,
                Source.INDICATOR,
                "MMR",
                {"kind": "threshold", "target": "15", "unit": "1/10万", "higher_is_better": False},
            ),
            (
                "婴儿死亡率",
                4,
                Source.INDICATOR,
                "IMR",
                {
                    "kind": "linear",
                    "target": "4",
                    "unit": "‰",
                    "gap_unit": "",
                    "per": "0.5",
                    "deduct": "1",
                    "higher_is_better": False,
                },
            ),
            (
                "新生儿遗传代谢性疾病筛查率",
                3,
                Source.INDICATOR,
                "NEWBORN_SCREEN_RATE",
                {"kind": "threshold", "target": "98"},
            ),
            (
                "产后访视率",
                4,
                Source.INDICATOR,
                "POSTPARTUM_VISIT_RATE",
                {"kind": "proportional", "target": "95"},
            ),
        ],
    ),
    (
        "医疗服务",
        [
            (
                "门诊患者预约诊疗率",
                4,
                Source.INDICATOR,
                "APPOINTMENT_RATE",
                {"kind": "rank", "mode": "proportional"},
            ),
            (
                "药占比",
                4,
                Source.INDICATOR,
                "DRUG_SHARE",
                {"kind": "proportional", "target": "30", "higher_is_better": False},
            ),
            (
                "平均住院日",
                4,
                Source.INDICATOR,
                "ALOS",
                {
                    "kind": "bands",
                    "unit": "日",
                    "bands": [
                        {"lower": None, "upper": "7.5", "points": "4", "upper_inclusive": True},
                        {
                            "lower": "7.5",
                            "upper": "8",
                            "points": "2",
                            "lower_inclusive": False,
                            "upper_inclusive": True,
                        },
                    ],
                },
            ),
            (
                "临床路径入径率提升",
                4,
                Source.INDICATOR,
                "PATHWAY_ENTRY_RATE",
                {"kind": "improvement", "by": "1", "mode": "threshold", "missing": "excluded"},
            ),
            (
                "三四级手术占比",
                4,
                Source.INDICATOR,
                "SURG_L3L4_SHARE",
                {"kind": "interpolation", "floor": "30", "target": "50"},
            ),
        ],
    ),
    (
        "综合管理",
        [
            ("党建与行风建设", 8, Source.REVIEW, "", {"kind": "qualitative"}),
            ("重点任务落实", 7, Source.REVIEW, "", {"kind": "qualitative", "combine": "mean"}),
            (
                "安全生产检查",
                5,
                Source.MANUAL,
                "",
                {"kind": "checklist", "per": "1", "cap": "5", "measure": "处", "finding": "安全隐患"},
            ),
            (
                "信息报送与数据质量",
                5,
                Source.MANUAL,
                "",
                {"kind": "checklist", "per": "0.5", "measure": "条", "finding": "错报迟报信息"},
            ),
        ],
    ),
    (
        "加分与扣分",
        [
            (
                "获得省级以上表彰",
                3,
                Source.MANUAL,
                "",
                {"kind": "bonus", "per": "1", "cap": "3", "event": "获得省级以上表彰"},
            ),
            (
                "工作经验被省级以上推广",
                2,
                Source.MANUAL,
                "",
                {"kind": "bonus", "per": "1", "cap": "2", "event": "工作经验被省级以上推广", "measure": "篇"},
            ),
            (
                "督办事项逾期未办结",
                5,
                Source.SUPERVISION,
                "",
                {"kind": "deduction", "source": "overdue", "per": "1", "cap": "5"},
            ),
            (
                "问题清单逾期未整改",
                5,
                Source.PROBLEMS,
                "",
                {"kind": "deduction", "source": "unrectified", "per": "0.5", "cap": "5"},
            ),
            ("重大医疗安全事件", 0, Source.MANUAL, "", {"kind": "veto", "condition": "发生重大医疗安全事件"}),
            (
                "突发公共卫生事件迟报漏报",
                0,
                Source.MANUAL,
                "",
                {
                    "kind": "veto",
                    "condition": "发生突发公共卫生事件迟报漏报",
                    "effect": "cap",
                    "grade": "合格",
                },
            ),
        ],
    ),
]

GRADING = {"cutoffs": [[90, "优秀"], [80, "良好"], [60, "合格"]], "bonus_cap": "4"}
REVIEW_LEVELS = ["好", "较好", "一般", "差"]


def build_scheme(
    year: int, area: OrgUnit, admin: User | None, reviewers: list[User], peer_groups: dict
) -> Scheme:
    scheme = Scheme.objects.create(
        name=f"{year}年度县(市、区)卫生健康工作目标管理责任制考核",
        year=year,
        kind=Kind.COUNTY,
        area=area,
        peer_groups=peer_groups,
        grading=GRADING,
        basis=f"依据《示例市{year}年卫生健康工作要点》和《示例市县(市、区)卫生健康工作目标管理责任制考核办法》",
        requirements="各县(市、区)要对照反馈单逐项分析失分原因，制定整改措施，于通报印发后一个月内将整改情况报市卫生健康委规划发展与信息化科。",
        created_by=admin,
    )
    scheme.reviewers.set(reviewers)
    indicators = {i.code: i for i in Indicator.objects.all()}
    n = 0
    for order, (cat_name, items) in enumerate(ITEMS, 1):
        cat = Category.objects.create(
            scheme=scheme,
            name=cat_name,
            order=order,
            points=sum(p for _, p, *_ in items if cat_name != "加分与扣分"),
        )
        for name, points, source, code, rule in items:
            n += 1
            services.save_item(
                Item(
                    scheme=scheme,
                    category=cat,
                    num=str(n),
                    name=name,
                    points=Decimal(points),
                    source=source,
                    indicator=indicators.get(code) if code else None,
                    rule=rule,
                    is_bonus=rule["kind"] in ("bonus", "deduction", "veto"),
                    order=n,
                )
            )
    return scheme


def _quality(unit: OrgUnit) -> float:
    from weijian.demo.city import COUNTIES

    spec = {c.code: c for c in COUNTIES}.get(unit.code)
    return spec.quality if spec else 0.5


def _level(q: float, shift: int = 0) -> str:
    i = 0 if q >= 0.75 else 1 if q >= 0.5 else 2 if q >= 0.25 else 3
    return REVIEW_LEVELS[max(0, min(3, i + shift))]


def _score(scheme: Scheme, unit: OrgUnit, name: str) -> ItemScore:
    return ItemScore.objects.select_related("item", "result__scheme", "result__org_unit").get(
        result__scheme=scheme, result__org_unit=unit, item__name=name
    )


def _walk(
    scheme: Scheme,
    admin: User,
    reviewer: User,
    counties: list[OrgUnit],
    county_user: User | None,
    *,
    veto_unit,
    this_year: bool,
) -> None:
    workflow.advance(scheme, admin)  # 下达
    workflow.advance(scheme, admin)  # 自评
    if county_user is not None and this_year:
        own = _score(scheme, county_user.org_unit, "安全生产检查")
        workflow.self_assess(county_user, own, Decimal(5), "全年开展安全生产检查4次，发现隐患均已当场整改。")
        Evidence.objects.create(
            score=own,
            file=ContentFile(
                "云川县卫生健康局安全生产检查整改台账（演示）".encode(), name="安全生产检查整改台账.txt"
            ),
            name="安全生产检查整改台账.txt",
            size=len("云川县卫生健康局安全生产检查整改台账（演示）".encode()),
            uploaded_by=county_user,
        )
        workflow.submit_self_assessment(county_user, own.result)
    workflow.advance(scheme, admin)  # 审核: scores computed from the data snapshot
    with services.totals_deferred():
        _review(scheme, reviewer, counties, veto_unit=veto_unit, this_year=this_year)
    workflow.advance(scheme, admin)  # 预公示


def _review(scheme: Scheme, reviewer: User, counties: list[OrgUnit], *, veto_unit, this_year: bool) -> None:
    for unit in counties:
        q = _quality(unit) + (0.1 if not this_year else 0)
        workflow.review(
            reviewer,
            _score(scheme, unit, "党建与行风建设"),
            level=_level(q),
            reason="查阅党建工作台账、行风建设记录及群众满意度调查结果",
        )
        workflow.review(
            reviewer,
            _score(scheme, unit, "重点任务落实"),
            level=_level(q, 1 if q < 0.5 else 0),
            reason="对照工作要点逐项核查重点任务推进情况",
        )
        hazards = round((1 - q) * 6)
        workflow.record_checked(
            reviewer,
            _score(scheme, unit, "安全生产检查"),
            count=hazards,
            note=f"市级安全生产检查组现场检查，发现安全隐患{hazards}处",
        )
        late = round((1 - q) * 5)
        workflow.record_checked(
            reviewer,
            _score(scheme, unit, "信息报送与数据质量"),
            count=late,
            note=f"全年错报迟报信息{late}条（信息中心统计）",
        )
        awards = 2 if q >= 0.8 else 1 if q >= 0.55 else 0
        workflow.record_checked(
            reviewer,
            _score(scheme, unit, "获得省级以上表彰"),
            count=awards,
            note=f"获得省级以上表彰{awards}项",
        )
        shared = 2 if q >= 0.8 else 1 if q >= 0.65 else 0
        workflow.record_checked(
            reviewer,
            _score(scheme, unit, "工作经验被省级以上推广"),
            count=shared,
            note=f"工作经验被省级以上推广{shared}篇",
        )
        vetoed = this_year and unit == veto_unit
        workflow.record_checked(
            reviewer,
            _score(scheme, unit, "重大医疗安全事件"),
            flag=vetoed,
            note="经核实发生一起重大医疗安全事件（市卫生健康委通报）"
            if vetoed
            else "经核实未发生重大医疗安全事件",
        )
        workflow.record_checked(
            reviewer, _score(scheme, unit, "突发公共卫生事件迟报漏报"), flag=False, note="经核实无迟报漏报"
        )


def load_demo_assessment(today: date) -> str:
    """Build, score and take both demo schemes through the workflow; returns the summary line."""
    admin = User.objects.filter(username="admin").first()
    reviewer = User.objects.filter(role=Role.DEPARTMENT).order_by("pk").first()
    county_user = User.objects.filter(username="county", role=Role.COUNTY).first()
    area = OrgUnit.objects.filter(level=Level.CITY).order_by("path").first()
    if admin is None or reviewer is None or area is None:
        return "考核：缺少演示账户或地区，未载入"
    counties = list(OrgUnit.objects.subtree_of(area).filter(level=Level.COUNTY).order_by("code"))
    peer_groups = {c.code: ("城区" if c.name.endswith("区") else "县(市)") for c in counties}
    veto_unit = min(counties, key=_quality) if len(counties) > 1 else None
    years = [today.year - 2, today.year - 1]

    last = build_scheme(years[0], area, admin, [reviewer], peer_groups)
    _walk(last, admin, reviewer, counties, county_user, veto_unit=None, this_year=False)
    for _ in range(3):  # 申诉 → 审定 → 通报
        workflow.advance(last, admin)

    scheme = build_scheme(years[1], area, admin, [reviewer], peer_groups)
    _walk(scheme, admin, reviewer, counties, county_user, veto_unit=veto_unit, this_year=True)
    appeal = None
    if county_user is not None:
        own = _score(scheme, county_user.org_unit, "安全生产检查")
        appeal = workflow.file_appeal(
            county_user,
            own,
            "检查发现的隐患中有2处已于检查当日整改并经检查组确认，不应计入扣分，附整改台账。",
            requested=own.points + 2
            if own.points is not None and own.points + 2 <= own.max_points
            else own.max_points,
        )
    workflow.advance(scheme, admin)  # 申诉: the appeal stays open
    results = list(Result.objects.filter(scheme=scheme).select_related("org_unit").order_by("rank"))
    top = "、".join(f"{r.org_unit.name}{services._plain(r.points)}分" for r in results[:3])
    veto = f"，{veto_unit.name}一票否决" if veto_unit else ""
    return (
        f"考核：{last.year}年度方案已通报，{scheme.year}年度方案（{scheme.items.count()}项细则）处于申诉环节："
        f"{top}{veto}{'，1件申诉待处理' if appeal else ''}"
    )
