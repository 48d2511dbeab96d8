"""The demo city: loads only into an empty database, builds what the README promises, gives each
demo account the right scope, and is the same every time it is loaded."""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum

from weijian.accounts.models import Role, User
from weijian.accounts.scope import can_read_org, can_write_org, is_admin
from weijian.data.models import DataSet, DataValue, DataValueAudit, ValidationRule
from weijian.demo.city import COUNTIES, DEPARTMENTS
from weijian.demo.figures import DemoCalendar
from weijian.demo.loader import DemoRefused, database_is_empty, load_demo
from weijian.indicators.expressions import parse
from weijian.indicators.models import Indicator
from weijian.orgs.models import Department, InstitutionType, Leader, Level, OrgGroup, OrgUnit

TODAY = date(2025, 8, 15)


@pytest.fixture
def small_demo(db):
    return load_demo(today=TODAY, counties=2)


def values_of(element: str, period: str, county: OrgUnit) -> Decimal:
    return DataValue.objects.filter(
        element__code=element, period__code=period, org_unit__path__startswith=county.path
    ).aggregate(s=Sum("value"))["s"]


def test_full_demo_has_the_promised_size(db):
    result = load_demo(today=TODAY)
    counties = OrgUnit.objects.filter(level=Level.COUNTY)
    assert counties.count() == len(COUNTIES) == 8
    institutions = OrgUnit.objects.filter(level=Level.INSTITUTION)
    assert 140 <= institutions.count() <= 160
    for county in counties:
        inside = institutions.filter(path__startswith=county.path)
        for itype in (
            InstitutionType.GENERAL_HOSPITAL,
            InstitutionType.TCM_HOSPITAL,
            InstitutionType.MCH,
            InstitutionType.CDC,
        ):
            assert inside.filter(inst_type=itype).count() == 1, (county.name, itype)
        assert (
            inside.filter(inst_type__in=[InstitutionType.TOWNSHIP_HC, InstitutionType.COMMUNITY_HC]).count()
            >= 6
        )
        assert inside.filter(inst_type=InstitutionType.PRIVATE_HOSPITAL).exists()
        assert inside.get(inst_type=InstitutionType.GENERAL_HOSPITAL).name == f"{county.name}人民医院"
    assert OrgUnit.objects.filter(inst_type=InstitutionType.VILLAGE_CLINIC).count() >= 8
    hospitals = institutions.exclude(inst_type__in=[InstitutionType.CDC, InstitutionType.VILLAGE_CLINIC])
    assert not hospitals.filter(beds__isnull=True).exclude(inst_type=InstitutionType.COMMUNITY_HC).exists()
    assert Department.objects.count() == len(DEPARTMENTS)
    assert Leader.objects.filter(title__contains="主任").count() == Leader.objects.count() >= 5
    assert set(OrgGroup.objects.values_list("name", flat=True)) >= {"二级以上公立医院", "医共体成员"}
    assert (
        DataSet.objects.filter(period_type="M").exists() and DataSet.objects.filter(period_type="Y").exists()
    )
    assert ValidationRule.objects.count() >= 5
    assert Indicator.objects.count() >= 60
    # 2023 and 2024 in full, 2025 up to July
    months = set(DataValue.objects.filter(period__type="M").values_list("period__code", flat=True))
    assert min(months) == "202301" and max(months) == "202507" and len(months) == 31
    assert DataValueAudit.objects.filter(source="demo").count() == DataValue.objects.count() > 100_000
    assert "演示数据已载入" in result.summary() and "8 个县(市、区)" in result.summary()
    # Some counties, not all, fall below the usual 90% target for 建档率.
    below = [
        c.name
        for c in counties
        if values_of("EHR_FILED", "2024Q4", c) / values_of("POP_RESIDENT", "2024", c) * 100 < 90
    ]
    assert 1 <= len(below) < 8


def test_demo_accounts_exist_only_as_demo_accounts_with_the_shared_password(small_demo, client):
    users = {u.username: u for u in User.objects.all()}
    assert set(users) == {"admin", "leader", "dept", "county", "inst"}
    assert all(u.is_demo for u in users.values())
    assert users["admin"].is_superuser and users["admin"].is_staff and users["admin"].role == Role.ADMIN
    assert users["leader"].leader.name == users["leader"].first_name
    assert users["dept"].department.name == "基层卫生健康科"
    # One hash for all five (hashing is slow on purpose), and it is the documented password.
    assert len({u.password for u in users.values()}) == 1
    assert users["admin"].check_password("weijian-demo")
    response = client.post("/accounts/login/", {"username": "county", "password": "weijian-demo"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users["county"].pk)


def test_each_demo_account_sees_exactly_its_scope(small_demo):
    users = {u.username: u for u in User.objects.select_related("org_unit")}
    county, inst = users["county"].org_unit, users["inst"].org_unit
    assert county.level == Level.COUNTY and inst.inst_type == InstitutionType.GENERAL_HOSPITAL
    assert inst.path.startswith(county.path)

    seen = OrgUnit.objects.for_user(users["county"])
    assert set(seen) == set(OrgUnit.objects.filter(path__startswith=county.path))
    other = OrgUnit.objects.filter(level=Level.COUNTY).exclude(pk=county.pk).first()
    assert not can_read_org(users["county"], other) and not can_write_org(users["county"], other)
    values = DataValue.objects.for_user(users["county"])
    assert values.exists()
    assert not values.exclude(org_unit__path__startswith=county.path).exists()

    inst_values = DataValue.objects.for_user(users["inst"])
    assert set(inst_values.values_list("org_unit", flat=True)) == {inst.pk}
    assert not can_read_org(users["inst"], county)

    everyone = DataValue.objects.count()
    for name in ("admin", "leader", "dept"):
        assert DataValue.objects.for_user(users[name]).count() == everyone
    assert is_admin(users["admin"]) and not is_admin(users["leader"])
    assert not can_write_org(users["leader"], county)


def test_two_loads_give_identical_values(db):
    def load_and_read():
        with transaction.atomic():
            load_demo(today=TODAY, counties=1)
            rows = sorted(
                DataValue.objects.values_list("element__code", "org_unit__code", "period__code", "value")
            )
            names = sorted(OrgUnit.objects.values_list("code", "name", "beds"))
            transaction.set_rollback(True)  # back to an empty database for the second load
        return rows, names

    first, second = load_and_read(), load_and_read()
    assert len(first[0]) > 10_000
    assert first == second


def test_rates_are_realistic_and_some_counties_lag(small_demo):
    load = {}
    for county in OrgUnit.objects.filter(level=Level.COUNTY):
        pop = values_of("POP_RESIDENT", "2024", county)
        filed = values_of("EHR_FILED", "2024Q4", county)
        std, managed = (
            values_of("HTN_MANAGED_STD", "2024Q4", county),
            values_of("HTN_MANAGED", "2024Q4", county),
        )
        months = [f"2024{m:02d}" for m in range(1, 13)]
        births = DataValue.objects.filter(
            element__code="LIVE_BIRTHS", period__code__in=months, org_unit=county
        ).aggregate(s=Sum("value"))["s"]
        infant = DataValue.objects.filter(
            element__code="INFANT_DEATHS", period__code__in=months, org_unit=county
        ).aggregate(s=Sum("value"))["s"]
        load[county.name] = (filed / pop * 100, std / managed * 100, infant / births * 1000)
    for name, (ehr, htn, imr) in load.items():
        assert 80 <= ehr <= 97, name
        assert 55 <= htn <= 82, name
        assert 1 <= imr <= 7, name
    # 云川县 sits in the middle; 清溪区 is one of the best.
    assert load["清溪区"][0] > load["云川县"][0]


def test_demo_values_pass_the_demo_validation_rules(small_demo):
    rows = defaultdict(dict)
    for code, org, period, value in DataValue.objects.values_list(
        "element__code", "org_unit", "period", "value"
    ):
        rows[(org, period)][code] = value
    checked = 0
    for rule in ValidationRule.objects.all():
        left, right = parse(rule.left), parse(rule.right)
        for values in rows.values():
            a, b = left.evaluate(values), right.evaluate(values)
            if a is None or b is None:
                continue
            checked += 1
            assert {"<=": a <= b, "==": a == b, "<": a < b, ">=": a >= b, ">": a > b}[rule.operator], (
                rule.code,
                values,
            )
    assert checked > 1000


def test_demo_refuses_a_database_that_has_data(city):
    with pytest.raises(DemoRefused, match="已有数据"):
        load_demo(today=TODAY)
    with pytest.raises(CommandError, match="只能载入空数据库"):
        call_command("demo")
    assert OrgUnit.objects.count() == 8


def test_if_empty_is_silent_and_keeps_existing_data(city):
    before = list(OrgUnit.objects.values_list("code", flat=True))
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert out.getvalue() == ""
    assert list(OrgUnit.objects.values_list("code", flat=True)) == before
    assert not User.objects.filter(is_demo=True).exists()


def test_command_loads_an_empty_database_and_prints_a_chinese_summary(db):
    assert database_is_empty()
    out = StringIO()
    call_command("demo", "--counties", "1", stdout=out)
    text = out.getvalue()
    assert "演示数据已载入" in text and "数据值" in text and "weijian-demo" in text
    assert not database_is_empty()
    with pytest.raises(CommandError):
        call_command("demo", "--counties", "12")


def test_demo_keeps_a_catalogue_that_is_already_loaded(db):
    from weijian.indicators.catalogue import load_catalogue

    load_catalogue()
    Indicator.objects.filter(code="EHR_RATE").update(definition="本委补充说明")
    result = load_demo(today=TODAY, counties=1)
    assert Indicator.objects.get(code="EHR_RATE").definition == "本委补充说明"
    assert any("已存在" in line for line in result.lines)


@pytest.mark.parametrize(
    "today, last_month, quarters",
    [
        (date(2026, 11, 23), 10, [1, 2, 3]),
        (date(2026, 1, 5), None, []),
        (date(2026, 4, 1), 3, [1]),
    ],
)
def test_the_current_year_runs_to_last_month(today, last_month, quarters):
    cal = DemoCalendar.for_date(today)
    assert cal.years == [today.year - 2, today.year - 1, today.year]
    assert cal.months[today.year - 1] == list(range(1, 13))
    assert (cal.months[today.year][-1] if cal.months[today.year] else None) == last_month
    assert cal.quarters[today.year] == quarters


def test_department_names_and_aliases_each_name_one_department():
    owner = {}
    for name, aliases in DEPARTMENTS:
        for term in (name, *aliases):
            assert owner.setdefault(term, name) == name, term
    assert {
        "办公室",
        "规划发展与信息化科",
        "医政医管科",
        "基层卫生健康科",
        "疾病预防控制科",
        "妇幼健康科",
        "人口监测与家庭发展科",
        "财务科",
        "中医科",
    } <= {name for name, _ in DEPARTMENTS}
