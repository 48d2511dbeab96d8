from decimal import Decimal

import pytest

from weijian import testing
from weijian.data import validation
from weijian.data.entry import DataError, save_values
from weijian.data.models import DataValue, DataValueAudit, ValidationRule
from weijian.data.tests.helpers import put


@pytest.fixture
def htn(db):
    managed = testing.element("HTN_MGD", "高血压患者规范管理人数", "人", min_value=Decimal(0))
    controlled = testing.element("HTN_CTRL", "管理人群血压控制人数", "人", min_value=Decimal(0))
    ValidationRule.objects.create(
        code="R1",
        name="控制人数不超过管理人数",
        left="HTN_CTRL",
        operator="<=",
        right="HTN_MGD",
        message="血压控制人数不能超过规范管理人数",
    )
    return managed, controlled


def test_saving_records_who_and_audits_old_and_new(city, users, htn):
    managed, _ = htn
    user = users["county"]
    result = save_values(user, [(managed, city.hospital_a, "202403", Decimal(120))], source="form")
    assert result.created == 1
    save_values(user, [(managed, city.hospital_a, "202403", Decimal(125))], source="form")
    stored = DataValue.objects.get(element=managed, org_unit=city.hospital_a, period__code="202403")
    assert stored.value == 125 and stored.stored_by == user
    trail = list(
        DataValueAudit.objects.order_by("pk").values_list("old_value", "new_value", "user", "source")
    )
    assert trail == [(None, Decimal(120), user.pk, "form"), (Decimal(120), Decimal(125), user.pk, "form")]


def test_saving_the_same_value_again_changes_nothing(city, users, htn):
    managed, _ = htn
    save_values(users["county"], [(managed, city.hospital_a, "202403", Decimal(7))], source="form")
    result = save_values(
        users["county"], [(managed, city.hospital_a, "202403", Decimal("7.0"))], source="form"
    )
    assert result.unchanged == 1 and result.changed == 0
    assert DataValueAudit.objects.count() == 1


def test_none_deletes_the_value_and_audits_it(city, users, htn):
    managed, _ = htn
    save_values(users["inst"], [(managed, city.hospital_a, "2024", Decimal(7))], source="api")
    result = save_values(users["inst"], [(managed, city.hospital_a, "2024", None)], source="api")
    assert result.deleted == 1
    assert not DataValue.objects.exists()
    assert DataValueAudit.objects.order_by("-pk").values_list("old_value", "new_value").first() == (
        Decimal(7),
        None,
    )


def test_a_unit_outside_the_users_scope_is_refused_and_nothing_is_saved(city, users, htn):
    managed, _ = htn
    rows = [(managed, city.hospital_a, "2024", Decimal(5)), (managed, city.hospital_b, "2024", Decimal(6))]
    with pytest.raises(DataError) as caught:
        save_values(users["county"], rows, source="form")
    [problem] = caught.value.problems
    assert problem.row == 2 and problem.column == "机构"
    # the refusal names the code the user gave, never the name of a unit it may not see
    assert "C01B01" in problem.reason and "不在您的填报范围内" in problem.reason
    assert "乙区人民医院" not in problem.reason
    assert not DataValue.objects.exists() and not DataValueAudit.objects.exists()


@pytest.mark.parametrize("role", ["leader", "dept"])
def test_readers_cannot_enter_data(city, users, htn, role):
    managed, _ = htn
    with pytest.raises(DataError, match="无权填报"):
        save_values(users[role], [(managed, city.hospital_a, "2024", Decimal(5))], source="form")


def test_min_max_and_integer_type_are_checked(city, users, htn):
    managed, _ = htn
    managed.max_value = Decimal(1000)
    managed.save()
    rows = [
        (managed, city.hospital_a, "202401", Decimal(-1)),
        (managed, city.hospital_a, "202402", Decimal(1001)),
        (managed, city.hospital_a, "202403", Decimal("2.5")),
    ]
    with pytest.raises(DataError) as caught:
        save_values(users["admin"], rows, source="form")
    reasons = [p.reason for p in caught.value.problems]
    assert "不能小于 0" in reasons[0] and "不能大于 1000" in reasons[1] and "应为整数" in reasons[2]


def test_a_validation_rule_is_checked_against_values_already_stored(city, users, htn):
    managed, controlled = htn
    save_values(users["county"], [(managed, city.hospital_a, "2024Q1", Decimal(100))], source="form")
    with pytest.raises(DataError) as caught:
        save_values(users["county"], [(controlled, city.hospital_a, "2024Q1", Decimal(101))], source="form")
    assert "血压控制人数不能超过规范管理人数" in caught.value.problems[0].reason
    assert "“管理人群血压控制人数” = 101" in caught.value.problems[0].reason
    result = save_values(
        users["county"], [(controlled, city.hospital_a, "2024Q1", Decimal(99))], source="form"
    )
    assert result.created == 1


def test_the_same_value_twice_in_one_save_is_refused(city, users, htn):
    managed, _ = htn
    rows = [(managed, city.hospital_a, "2024", Decimal(1)), (managed, city.hospital_a, "2024", Decimal(2))]
    with pytest.raises(DataError, match="重复"):
        save_values(users["admin"], rows, source="form")


def test_periods_not_yet_begun_and_bad_codes_are_refused(city, users, htn):
    managed, _ = htn
    rows = [(managed, city.hospital_a, "2099", Decimal(1)), (managed, city.hospital_a, "2024-01", Decimal(1))]
    with pytest.raises(DataError) as caught:
        save_values(users["admin"], rows, source="form")
    assert "尚未开始" in caught.value.problems[0].reason
    assert "不是有效的期间编码" in caught.value.problems[1].reason


def test_violations_lists_rule_breaches_per_unit_and_period(city, htn):
    managed, controlled = htn
    put(managed, city.hospital_a, "2024", 100)
    put(controlled, city.hospital_a, "2024", 120)  # stored directly, bypassing entry: breaks R1
    put(managed, city.clinic_a, "2024", 50)
    put(controlled, city.clinic_a, "2024", 50)
    put(managed, city.hospital_b, "2024", 10)
    put(controlled, city.hospital_b, "2024", 11)

    found = validation.violations(city.county_a, "2024")
    assert [(v.org_unit.name, v.rule.code, v.left, v.right) for v in found] == [
        ("甲县人民医院", "R1", Decimal(120), Decimal(100)),
    ]
    assert "血压控制人数不能超过规范管理人数" in found[0].message
    assert [v.org_unit.name for v in validation.violations(city.city, "2024")] == [
        "甲县人民医院",
        "乙区人民医院",
    ]
    assert validation.violations(city.county_a, "2023") == []


def test_violations_include_values_outside_min_max(city, htn):
    managed, _ = htn
    put(managed, city.clinic_b, "202405", -3)
    [found] = validation.violations(city.city, "202405")
    assert found.rule is None and "不能小于 0" in found.message


def test_a_value_stored_by_someone_else_between_check_and_write_changes_nothing(city, users, htn):
    from weijian.data.entry import Pending, apply, check

    managed, _ = htn
    checked = check([Pending(1, managed, city.hospital_a, "2024", Decimal(5))], users["admin"])
    put(managed, city.hospital_a, "2024", 7)  # another user, a moment earlier
    with pytest.raises(DataError, match="其他用户"):
        apply(checked, users["admin"], "form")
    assert DataValue.objects.get().value == 7
    assert not DataValueAudit.objects.exists()
