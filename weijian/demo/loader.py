"""Loading the demo city into an empty database, step by step.

    load_demo()                 the whole demo (catalogue if missing, city, departments, leaders,
                                groups, data sets, rules, three years of data, demo accounts)
    database_is_empty()         whether there is anything the demo would collide with

Each step is a function of the DemoContext listed in STEPS; a later step (a demo plan, say) is
added by appending to STEPS. The load runs in one transaction: it applies whole or not at all.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from weijian.accounts.models import User
from weijian.data.models import DataValue
from weijian.indicators.catalogue import catalogue_is_loaded, load_catalogue
from weijian.orgs.groups import rebuild_standard_groups
from weijian.orgs.models import Department, Leader, OrgUnit

from . import accounts, city, figures

DEFAULT_SEED = 20240101


class DemoRefused(Exception):
    """The database already holds data; the message says what, in Chinese."""


@dataclass
class DemoContext:
    seed: int
    today: date
    counties: int
    rng: random.Random
    calendar: figures.DemoCalendar
    city: city.DemoCity | None = None
    lines: list[str] = field(default_factory=list)  # the summary, one line per step


@dataclass
class DemoResult:
    lines: list[str]
    seconds: float

    def summary(self) -> str:
        body = "\n".join(f"  {line}" for line in self.lines)
        return (
            f"演示数据已载入（用时 {self.seconds:.1f} 秒）：\n{body}\n"
            f"  演示账户 admin、leader、dept、county、inst，密码均为 {accounts.DEMO_PASSWORD}"
        )


def step_catalogue(ctx: DemoContext) -> str:
    if catalogue_is_loaded():
        return "指标目录：已存在，未改动"
    return "指标目录：" + load_catalogue().summary()


def step_city(ctx: DemoContext) -> str:
    ctx.city = city.build_city(ctx.rng, ctx.counties)
    c = ctx.city
    return (
        f"组织机构：{c.province.name} → {c.city.name}，{len(c.counties)} 个县(市、区)，"
        f"{len(c.institutions)} 个医疗卫生机构"
    )


def step_groups(ctx: DemoContext) -> str:
    counts = rebuild_standard_groups()
    return "机构分组：" + "，".join(f"{name} {n} 个" for name, n in counts.items())


def step_departments(ctx: DemoContext) -> str:
    departments = city.build_departments()
    leaders = city.build_leaders()
    return f"委机关：{len(departments)} 个科室，{len(leaders)} 位委领导"


def step_data_sets(ctx: DemoContext) -> str:
    return f"数据集 {figures.build_data_sets()} 个，校验规则 {figures.build_validation_rules()} 条"


def step_values(ctx: DemoContext) -> str:
    values = figures.generate_values(ctx.city, ctx.calendar, ctx.seed)
    n = figures.write_values(values)
    years = ctx.calendar.years
    last = ctx.calendar.months[years[-1]]
    until = f"{years[-1]}年{last[-1]}月" if last else f"{years[-2]}年12月"
    return f"数据值：{n} 条（{years[0]}年1月至{until}）"


def step_users(ctx: DemoContext) -> str:
    users = accounts.build_demo_users()
    return f"演示账户：{len(users)} 个"


def step_plan(ctx: DemoContext) -> str:
    """The demo work plan, imported through the plans app's own import service (weijian.plans.demo)."""
    from weijian.plans.demo import load_demo_plan

    return load_demo_plan(ctx.today)


def step_assessment(ctx: DemoContext) -> str:
    """The demo assessment schemes, scored through the assessment app's services (weijian.assessment.demo)."""
    from weijian.assessment.demo import load_demo_assessment

    return load_demo_assessment(ctx.today)


def step_totals(ctx: DemoContext) -> str:
    """The pre-aggregated totals the pages read (weijian.analytics), built once the values are in."""
    from weijian.analytics.services import rebuild

    return f"汇总表：{rebuild()} 行"


STEPS: list[tuple[str, Callable[[DemoContext], str]]] = [
    ("catalogue", step_catalogue),
    ("city", step_city),
    ("departments", step_departments),
    ("groups", step_groups),
    ("data_sets", step_data_sets),
    ("values", step_values),
    ("users", step_users),
    ("plan", step_plan),
    ("assessment", step_assessment),
    ("totals", step_totals),
]


def existing_data() -> dict[str, int]:
    """What the database already holds that the demo would collide with (empty dict: nothing)."""
    counts = {
        "机构": OrgUnit.objects.count(),
        "用户": User.objects.count(),
        "科室": Department.objects.count(),
        "委领导": Leader.objects.count(),
        "数据值": DataValue.objects.count(),
    }
    return {k: v for k, v in counts.items() if v}


def database_is_empty() -> bool:
    return not existing_data()


def load_demo(
    *, seed: int = DEFAULT_SEED, today: date | None = None, counties: int = len(city.COUNTIES)
) -> DemoResult:
    """Load the demo city into an empty database; raises DemoRefused when it is not empty.

    `today` fixes the three demo years (default: the current date); `counties` builds only the
    first N counties (tests use a smaller city)."""
    existing = existing_data()
    if existing:
        what = "、".join(f"{k} {v} 个" for k, v in existing.items())
        raise DemoRefused(
            f"数据库中已有数据（{what}），演示数据只能载入空数据库。"
            "如需演示，请换用一个新的数据库（例如设置 DATABASE_URL，或删除 SQLite 数据库文件后"
            "重新运行 weijian migrate）。"
        )
    today = today or date.today()
    ctx = DemoContext(
        seed=seed,
        today=today,
        counties=max(1, min(counties, len(city.COUNTIES))),
        rng=random.Random(seed),
        calendar=figures.DemoCalendar.for_date(today),
    )
    started = time.monotonic()
    with transaction.atomic():
        for _, step in STEPS:
            ctx.lines.append(step(ctx))
    return DemoResult(ctx.lines, time.monotonic() - started)
