"""Small factories for tests: a city with counties and institutions, users of every role,
elements and indicators. Each builds only what a test asks for."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from weijian.accounts.models import Role, User
from weijian.data.models import DataSet, DataValue
from weijian.indicators.models import Aggregation, DataElement, Indicator
from weijian.orgs.models import Department, Level, OrgUnit

PASSWORD = "test-pass-123"


def org(parent: OrgUnit | None, code: str, name: str, level: int, **attrs) -> OrgUnit:
    fields = {"code": code, "name": name, "level": level, **attrs}
    if parent is None:
        return OrgUnit.objects.add_root(fields)
    return OrgUnit.objects.add_child(parent, fields)


@dataclass
class City:
    province: OrgUnit
    city: OrgUnit
    county_a: OrgUnit
    county_b: OrgUnit
    hospital_a: OrgUnit
    clinic_a: OrgUnit
    hospital_b: OrgUnit
    clinic_b: OrgUnit


def make_city() -> City:
    """示例省 → 示例市 → 甲县 (甲县医院, 甲镇卫生院), 乙区 (乙区医院, 乙街道社区卫生服务中心)."""
    province = org(None, "P01", "示例省", Level.PROVINCE)
    city = org(province, "C01", "示例市", Level.CITY)
    county_a = org(city, "C01A", "甲县", Level.COUNTY)
    county_b = org(city, "C01B", "乙区", Level.COUNTY)
    hospital_a = org(
        county_a,
        "C01A01",
        "甲县人民医院",
        Level.INSTITUTION,
        inst_type="general",
        grade="2",
        ownership="public",
        beds=300,
    )
    clinic_a = org(
        county_a,
        "C01A02",
        "甲镇卫生院",
        Level.INSTITUTION,
        inst_type="township_hc",
        grade="1",
        ownership="public",
        beds=40,
    )
    hospital_b = org(
        county_b,
        "C01B01",
        "乙区人民医院",
        Level.INSTITUTION,
        inst_type="general",
        grade="3",
        ownership="public",
        beds=800,
    )
    clinic_b = org(
        county_b,
        "C01B02",
        "乙街道社区卫生服务中心",
        Level.INSTITUTION,
        inst_type="community_hc",
        grade="1",
        ownership="public",
        beds=20,
    )
    # treebeard updates numchild on the parents in the database; reload what callers hold.
    for node in (province, city, county_a, county_b):
        node.refresh_from_db()
    return City(province, city, county_a, county_b, hospital_a, clinic_a, hospital_b, clinic_b)


def make_user(
    username: str, role: str, org_unit: OrgUnit | None = None, department: Department | None = None, **extra
) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, org_unit=org_unit, department=department, **extra
    )


def make_users(city: City) -> dict[str, User]:
    """One user per role, scoped as the demo accounts are: county → 甲县, inst → 甲县人民医院."""
    dept, _ = Department.objects.get_or_create(name="基层卫生健康科")
    return {
        "admin": make_user("t_admin", Role.ADMIN),
        "leader": make_user("t_leader", Role.LEADER),
        "dept": make_user("t_dept", Role.DEPARTMENT, department=dept),
        "county": make_user("t_county", Role.COUNTY, org_unit=city.county_a),
        "other_county": make_user("t_county_b", Role.COUNTY, org_unit=city.county_b),
        "inst": make_user("t_inst", Role.INSTITUTION, org_unit=city.hospital_a),
    }


def element(code: str, name: str, unit: str = "", aggregation: str = Aggregation.SUM, **extra) -> DataElement:
    return DataElement.objects.create(code=code, name=name, unit=unit, aggregation=aggregation, **extra)


def indicator(
    code: str,
    name: str,
    numerator: str,
    denominator: str = "",
    factor: int | str = 1,
    unit: str = "",
    **extra,
) -> Indicator:
    return Indicator.objects.create(
        code=code,
        name=name,
        numerator=numerator,
        denominator=denominator,
        factor=Decimal(str(factor)),
        unit=unit,
        **extra,
    )


def dataset(
    code: str,
    name: str,
    elements: list[DataElement],
    period_type: str = "M",
    org_levels: list[int] | None = None,
    inst_types: list[str] | None = None,
) -> DataSet:
    ds = DataSet.objects.create(
        code=code,
        name=name,
        period_type=period_type,
        org_levels=org_levels or [],
        inst_types=inst_types or [],
    )
    ds.elements.set(elements)
    return ds


def value(element: DataElement, org_unit: OrgUnit, period_code: str, amount) -> DataValue:
    """Store a value directly (no checks, no audit): sets up a situation for a test."""
    from weijian.data.periods import get_period

    return DataValue.objects.create(
        element=element, org_unit=org_unit, period=get_period(period_code), value=Decimal(str(amount))
    )
