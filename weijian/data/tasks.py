"""Background jobs of the data app (django-tasks): a big import runs in the worker
(`weijian db_worker` with the default database backend), so it survives the browser closing
and reports its progress on its ImportJob."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def run_import(job_id: int) -> str:
    """Import the file saved for a queued ImportJob; returns the job's final status."""
    from .imports import recover_interrupted, run_queued

    recover_interrupted()
    job = run_queued(job_id)
    return job.status if job is not None else "skipped"
