"""Imports at scale and under trouble: codes in one form, bounded answers, a true job record,
an audit chain that holds when writes overlap."""

import os
import socket
from decimal import Decimal

import pytest
from django.db import connection

from weijian import testing
from weijian.data import aggregate
from weijian.data.entry import DataError, Pending, apply, check
from weijian.data.imports import import_file, recover_interrupted
from weijian.data.models import DataValue, DataValueAudit, ImportJob, Period
from weijian.data.tasks import start_import
from weijian.data.tests.helpers import put


@pytest.fixture
def visits(db):
    return testing.element("OPD", "门诊诊疗人次", "人次", min_value=Decimal(0))


def csv_bytes(lines, encoding="utf-8"):
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def test_full_width_periods_and_codes_are_stored_as_the_one_period(city, users, visits):
    data = csv_bytes(
        [
            "数据元编码,机构编码,期间,数值",
            "OPD,C01A01,２０２４Q1,100",
            "ＯＰＤ,Ｃ０１Ａ０２,2024Q1,50",
            "OPD,C01B01,２０２４,30",
        ]
    )
    result = import_file(data, "全角.csv", users["admin"])
    assert result.status == "applied", result.errors
    assert set(Period.objects.values_list("code", flat=True)) == {"2024Q1", "2024"}
    # The county total counts both values of the quarter: none is lost to a stray period.
    assert aggregate.value(visits, city.county_a, "2024Q1").value == 150


def test_a_file_of_unknown_codes_gets_a_bounded_answer_with_counts(city, users, visits):
    lines = ["数据元编码,机构编码,期间,数值"] + [f"NOPE{i},C01A01,202401,{i}" for i in range(30_000)]
    result = import_file(csv_bytes(lines), "未知.csv", users["admin"])
    assert result.status == "rejected" and result.rows_total == 30_000 and result.rows_rejected == 30_000
    assert len(result.errors) <= 200
    job = ImportJob.objects.get()
    assert len(job.errors) <= 200 and sum(job.error_counts.values()) == 30_000
    assert "另有" in job.message and not DataValue.objects.exists()


def test_a_number_the_column_cannot_hold_is_refused_by_row_and_column(city, users, visits):
    data = csv_bytes(
        ["数据元编码,机构编码,期间,数值", "OPD,C01A01,202401,9999999999999999", "OPD,C01A02,202401,1e-30"]
    )
    result = import_file(data, "大数.csv", users["admin"])
    assert result.status == "rejected"
    assert [(p.row, p.column) for p in result.errors] == [(2, "数值"), (3, "数值")]
    assert "有效数字" in result.errors[0].reason and "会变成 0" in result.errors[1].reason
    assert not DataValue.objects.exists()


def test_the_audit_chain_holds_when_two_writes_overlap(city, users, visits):
    """Two users check their change against the stored 10, then write one after the other:
    the second is told of the first (not silently written over it), and the audit chain has
    no gap: every old value is the value that was stored."""
    put(visits, city.hospital_a, "202401", 10)

    def checked(value):
        return check([Pending(1, visits, city.hospital_a, "202401", Decimal(value))], users["admin"])

    first, second = checked(20), checked(30)
    apply(first, users["admin"], "form")
    with pytest.raises(DataError, match="其他用户"):
        apply(second, users["admin"], "form")
    chain = list(DataValueAudit.objects.order_by("pk").values_list("old_value", "new_value"))
    assert chain == [(10, 20)]
    assert DataValue.objects.get().value == 20


def _fail_audit_writes():
    """Make the database refuse audit rows, as a full disk or a lost connection would."""
    table = DataValueAudit._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TRIGGER h1_fail BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION h1_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER h1_fail BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION h1_fail()"
            )


def test_a_failed_write_leaves_a_true_job_record_and_no_values(city, users, visits):
    _fail_audit_writes()
    data = csv_bytes(["数据元编码,机构编码,期间,数值", "OPD,C01A01,202401,5", "OPD,C01A02,202401,6"])
    result = import_file(data, "失败.csv", users["admin"])
    job = ImportJob.objects.get()
    assert job.status == "failed" and result.status == "failed" and job.rows_applied == 0
    assert "没有改动任何数据" in job.message
    assert not DataValue.objects.exists()


def test_a_job_whose_process_died_is_marked_interrupted_not_left_running(city, users):
    dead = ImportJob.objects.create(
        file_name="大文件.csv", status="running", worker=f"{socket.gethostname()}:{2**22 + 7}", heartbeat=None
    )
    alive = ImportJob.objects.create(
        file_name="进行中.csv", status="running", worker=f"{socket.gethostname()}:{os.getpid()}"
    )
    ImportJob.objects.filter(pk=alive.pk).update(heartbeat=dead.at)  # just now
    assert recover_interrupted() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.status, alive.status) == ("interrupted", "running")
    assert "没有改动任何数据" in dead.message


def test_a_queued_import_runs_in_the_worker_and_ends_applied(
    city, users, visits, settings, django_capture_on_commit_callbacks, tmp_path
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VAR_DIR = tmp_path
    data = csv_bytes(["数据元编码,机构编码,期间,数值", "OPD,C01A01,202401,5", "OPD,C01A02,202401,6"])
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(data, "后台.csv", users["county"])
        assert job.status == "queued"
    job.refresh_from_db()
    assert (job.status, job.rows_applied, job.progress) == ("applied", 2, 100)
    assert DataValue.objects.count() == 2
    assert not list(tmp_path.joinpath("imports").iterdir())  # the saved upload is removed
