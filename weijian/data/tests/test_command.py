from io import StringIO

import pytest
from django.core.management import call_command

from weijian import testing
from weijian.data.models import DataValue, ImportJob
from weijian.data.tests.helpers import put


@pytest.fixture
def visits(city):
    return testing.element("OPD", "门诊诊疗人次", "人次")


def run(*args):
    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("data", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_import_prints_the_result(tmp_path, visits):
    path = tmp_path / "一月.csv"
    path.write_text("数据元编码,机构编码,期间,数值\nOPD,C01A01,202401,5\n", encoding="gbk")
    code, out, _ = run("import", str(path))
    assert code == 0 and "已导入" in out and "一月.csv" in out
    assert DataValue.objects.get().value == 5


def test_a_rejected_import_prints_each_row_and_exits_1(tmp_path, visits):
    path = tmp_path / "bad.csv"
    path.write_text(
        "数据元编码,机构编码,期间,数值\nOPD,C01A01,202401,x\nOPD,NOPE,202401,1\n", encoding="utf-8"
    )
    code, _, err = run("import", str(path))
    assert code == 1
    assert "第2行“数值”：“x”不是数字" in err and "第3行“机构编码”：机构编码“NOPE”不存在" in err
    assert not DataValue.objects.exists()


def test_import_as_a_user_keeps_to_the_users_scope(tmp_path, visits, users):
    path = tmp_path / "b.csv"
    path.write_text(
        "数据元编码,机构编码,期间,数值\nOPD,C01A01,202401,1\nOPD,C01B01,202401,2\n", encoding="utf-8"
    )
    code, out, _ = run("import", str(path), "--user", "t_county", "--partial")
    assert code == 0 and "部分导入" in out and "不在您的填报范围内" in out
    assert list(DataValue.objects.values_list("org_unit__code", flat=True)) == ["C01A01"]
    assert ImportJob.objects.get().user == users["county"]


def test_export_filters_by_period_and_org(tmp_path, visits, city):
    put(visits, city.hospital_a, "202401", 1)
    put(visits, city.hospital_b, "202401", 2)
    put(visits, city.hospital_a, "202304", 3)
    code, out, _ = run("export", "--period", "2024", "--org", "C01A")
    assert code == 0
    assert out.splitlines()[1].startswith("OPD,门诊诊疗人次,C01A01,甲县人民医院,202401,1")
    assert len(out.splitlines()) == 2
    target = tmp_path / "all.json"
    run("export", "--format", "dhis2-json", "-o", str(target))
    assert target.read_text(encoding="utf-8").count('"dataElement"') == 3
