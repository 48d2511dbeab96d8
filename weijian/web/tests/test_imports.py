"""Import page: upload, all-or-nothing or valid rows only; the result lists every bad row."""

from django.core.files.uploadedfile import SimpleUploadedFile

from weijian.data.models import DataValue, ImportJob

HEADER = "数据元编码,机构编码,期间,数值\n"


def _upload(client, text, name="月报.csv", partial=False):
    data = {"file": SimpleUploadedFile(name, text.encode())}
    if partial:
        data["partial"] = "1"
    return client.post("/data/import/", data, follow=True)


def test_file_with_an_error_changes_nothing_and_names_the_row(client, users, reporting):
    client.force_login(users["county"])
    response = _upload(client, HEADER + "HTN_MGD,C01A01,202405,10\nHTN_MGD,C01A01,202406,abc\n")
    page = response.content.decode()
    assert "未导入" in page and "行号" in page
    assert '<td class="num">3</td>' in page and "abc" in page
    assert not DataValue.objects.filter(period__code="202405").exists()


def test_partial_import_applies_the_good_rows(client, users, reporting):
    client.force_login(users["county"])
    response = _upload(client, HEADER + "HTN_MGD,C01A01,202405,10\nHTN_MGD,C01B01,202405,7\n", partial=True)
    page = response.content.decode()
    assert "部分导入" in page
    assert DataValue.objects.filter(period__code="202405", org_unit__code="C01A01").exists()
    assert not DataValue.objects.filter(period__code="202405", org_unit__code="C01B01").exists()


def test_history_lists_only_the_users_own_imports(client, users, reporting):
    from weijian.data.imports import import_file

    import_file((HEADER + "HTN_MGD,C01B01,202405,7\n").encode(), "乙区五月.csv", users["other_county"])
    client.force_login(users["county"])
    _upload(client, HEADER + "HTN_MGD,C01A01,202405,10\n", name="甲县五月.csv")
    page = client.get("/data/import/").content.decode()
    assert "甲县五月.csv" in page and "乙区五月.csv" not in page


def test_unsupported_file_type_is_refused_with_a_message(client, users, reporting):
    client.force_login(users["county"])
    page = _upload(client, "hello", name="报表.doc").content.decode()
    assert "格式不支持" in page and "报表.doc" in page
    assert not ImportJob.objects.exists()


def _truncated_workbook() -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["数据元编码", "机构编码", "期间", "数值"])
    book.active.append(["HTN_MGD", "C01A01", "202405", 10])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    return data[: len(data) // 2]


def test_a_truncated_excel_file_gets_a_clear_message_and_changes_nothing(client, users, reporting):
    client.force_login(users["county"])
    before = DataValue.objects.count()
    upload = SimpleUploadedFile("五月报表.xlsx", _truncated_workbook())
    response = client.post("/data/import/", {"file": upload}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "五月报表.xlsx" in page and "未导入" in page
    assert DataValue.objects.count() == before


def test_the_api_answers_a_truncated_excel_file_with_json_not_a_500(users, reporting):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(users["county"])
    upload = SimpleUploadedFile("五月报表.xlsx", _truncated_workbook())
    response = api.post("/api/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 400  # nothing applied: the request is refused, with the reason
    body = response.json()
    assert body["status"] == "rejected" and "五月报表.xlsx" in body["errors"][0]["reason"]
    assert not DataValue.objects.filter(period__code="202405", org_unit__code="C01A01").exists()
