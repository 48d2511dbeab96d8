"""Background jobs of the data app (django-tasks): a big import is queued by `start_import`
and run in the worker (`weijian db_worker` with the default database backend) by
`run_import`, so it survives the browser closing and reports its progress on its ImportJob."""

from __future__ import annotations

import uuid
from pathlib import Path, PurePath

from django.conf import settings
from django.db import transaction
from django_tasks import task

from .imports import _actor, recover_interrupted, run_queued
from .models import ImportJob


def start_import(upload, file_name: str, user, *, partial: bool = False, system: bool = False) -> ImportJob:
    """Queue a big import as a background job: the upload (a file object or bytes) is saved
    under VAR_DIR/imports and the worker imports it (`tasks.run_import`). Returns the job at
    once; its status and progress are on the record."""
    name = PurePath(file_name or "未命名文件").name
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{PurePath(name).suffix.lower()[:10]}"
    with open(path, "wb") as out:
        if isinstance(upload, bytes | bytearray):
            out.write(upload)
        else:
            for chunk in (
                upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b"")
            ):
                out.write(chunk)
    job = ImportJob.objects.create(
        file_name=name[:255],
        file_format="",
        user=_actor(user),
        status=ImportJob.Status.QUEUED,
        partial=partial,
        system=system,
        upload=str(path),
        bytes_total=path.stat().st_size,
        message=f"文件“{name}”已排队，等待后台导入。",
    )
    transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


@task(queue_name="default")
def run_import(job_id: int) -> str:
    """Import the file saved for a queued ImportJob; returns the job's final status."""
    recover_interrupted()
    job = run_queued(job_id)
    return job.status if job is not None else "skipped"
