"""What enters the database through the API: numbers the column holds exactly, codes in one
form, and refusals of bounded size."""

import pytest
from rest_framework.test import APIClient

from weijian.data.models import DataValue, Period


@pytest.fixture
def api(users):
    client = APIClient()
    client.force_authenticate(users["county"])
    return client


def post(api, rows):
    return api.post("/api/datavalues/", rows, format="json")


@pytest.mark.parametrize(
    "value, words",
    [
        ("9999999999999999", "16位有效数字"),
        ("123456789012345.6789", "19位有效数字"),
        ("1e-30", "会变成 0"),
        ("NaN", "不是有限的数字"),
        ("Infinity", "不是有限的数字"),
    ],
)
def test_a_number_the_column_cannot_hold_is_refused_and_nothing_is_stored(api, reporting, value, words):
    before = DataValue.objects.count()
    response = post(api, [{"element": "HTN_MGD", "org_unit": "C01A01", "period": "202405", "value": value}])
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["row"], error["field"]) == (1, "value") and words in error["reason"]
    assert DataValue.objects.count() == before


def test_the_largest_number_accepted_reads_back_exactly(api, reporting):
    response = post(
        api, [{"element": "HTN_MGD", "org_unit": "C01A01", "period": "202405", "value": "999999999999999"}]
    )
    assert response.status_code == 200, response.json()
    listed = api.get("/api/datavalues/?element=HTN_MGD&org_unit=C01A01&period=202405")
    assert listed.status_code == 200 and listed.json()["results"][0]["value"] == "999999999999999.0000"


def test_full_width_period_and_codes_are_the_same_period_and_unit(api, reporting):
    rows = [
        {"element": "ＨＴＮ_ＭＧＤ", "org_unit": "Ｃ０１Ａ０１", "period": "２０２４０５", "value": "１２"}
    ]
    assert post(api, rows).status_code == 200
    assert DataValue.objects.get(period__code="202405", org_unit__code="C01A01").value == 12
    assert not Period.objects.exclude(code__regex=r"^[0-9A-Z]+$").exists()


def test_thousands_of_duplicates_get_a_bounded_answer(api, reporting):
    rows = [{"element": "HTN_MGD", "org_unit": "C01A01", "period": "202405", "value": "1"}] * 5_000
    response = post(api, rows)
    assert response.status_code == 400
    body = response.json()
    assert len(response.content) < 200_000
    assert len(body["errors"]) <= 200
    assert "另有" in body["detail"] and sum(body["error_counts"].values()) == 5_000
    assert "等共5000行" in body["errors"][0]["reason"]
    assert not DataValue.objects.filter(period__code="202405").exists()


def test_a_big_file_is_accepted_as_a_job_whose_status_only_its_owner_reads(
    api, users, reporting, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_BACKGROUND_BYTES = 10
    settings.VAR_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    upload = SimpleUploadedFile("大.csv", "数据元编码,机构编码,期间,数值\nHTN_MGD,C01A01,202405,7\n".encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    job = response.json()["job"]
    done = api.get(f"/api/imports/{job}/").json()
    assert (done["status"], done["rows_applied"], done["progress"]) == ("applied", 1, 100)
    other = APIClient()
    other.force_authenticate(users["other_county"])
    assert other.get(f"/api/imports/{job}/").status_code == 404


def test_a_file_of_unknown_codes_gets_a_bounded_api_answer(api, reporting):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "数据元编码,机构编码,期间,数值\n" + "".join(f"NOPE{i},C01A01,202405,1\n" for i in range(20_000))
    response = api.post(
        "/api/imports/", {"file": SimpleUploadedFile("未知.csv", text.encode())}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert len(body["errors"]) == 200 and body["rows_rejected"] == 20_000
    assert body["error_counts"] == {"数据元编码“…”不存在": 20_000}
    assert len(response.content) < 100_000
