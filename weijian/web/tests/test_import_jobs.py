"""Big imports as background jobs on the import page: queued, a progress bar that polls until
the job ends, a true status, bounded error lists, and nobody else's job shown."""

from django.core.files.uploadedfile import SimpleUploadedFile

from weijian.data.models import DataValue, ImportJob

HEADER = "数据元编码,机构编码,期间,数值\n"


def _queued_upload(client, settings, tmp_path, text, capture):
    settings.IMPORT_BACKGROUND_BYTES = 10  # every upload of this test is "big"
    settings.VAR_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with capture(execute=True):
        return client.post("/data/import/", {"file": SimpleUploadedFile("大文件.csv", text.encode())})


def test_a_big_upload_is_queued_and_its_page_polls_a_progress_bar(
    client, users, reporting, settings, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(users["county"])
    response = _queued_upload(
        client, settings, tmp_path, HEADER + "HTN_MGD,C01A01,202405,10\n", django_capture_on_commit_callbacks
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/data/import/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert job.status == "queued" and "排队" in page and "<progress" in page
    assert f'hx-get="/data/import/{job.pk}/progress/"' in page
    assert not DataValue.objects.filter(period__code="202405").exists()  # nothing before the worker runs

    from weijian.data.imports import run_queued

    run_queued(job.pk)  # what the worker's task does
    fragment = client.get(f"/data/import/{job.pk}/progress/")
    assert fragment["HX-Refresh"] == "true"  # the page reloads to show the result
    result = client.get(f"/data/import/{job.pk}/").content.decode()
    assert "已导入" in result and "<progress" not in result
    assert DataValue.objects.get(period__code="202405", org_unit__code="C01A01").value == 10


def test_another_users_job_and_its_progress_are_not_shown(client, users, reporting):
    job = ImportJob.objects.create(file_name="乙区.csv", status="running", user=users["other_county"])
    client.force_login(users["county"])
    assert client.get(f"/data/import/{job.pk}/").status_code == 404
    assert client.get(f"/data/import/{job.pk}/progress/").status_code == 404
    client.force_login(users["admin"])
    assert client.get(f"/data/import/{job.pk}/progress/").status_code == 200


def test_the_result_page_lists_the_first_errors_and_counts_the_rest(client, users, reporting):
    client.force_login(users["admin"])
    text = HEADER + "".join(f"NOPE{i},C01A01,202405,1\n" for i in range(1000))
    response = client.post(
        "/data/import/", {"file": SimpleUploadedFile("未知.csv", text.encode())}, follow=True
    )
    page = response.content.decode()
    assert "错误按原因统计" in page and "数据元编码“…”不存在" in page and ">1000<" in page
    assert page.count('<tr><td class="num">') <= 200
