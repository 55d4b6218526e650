"""Celery tasks of the provisioning app: thin adapters (ids in) around provisioning services."""

from celery import shared_task

from provisioning.bulk.run import bulk_job_run, bulk_jobs_requeue_stale
from provisioning.bulk.upload import bulk_exports_purge, bulk_job_preview

# A job is resumable, so a lost worker costs one batch: acks late, and a re-delivery or the
# sweep simply runs it again. Generous limits: 200,000 rows take minutes, not hours.
BULK_TIME_LIMIT = 3 * 3600


@shared_task(  # type: ignore[untyped-decorator]
    name="provisioning.tasks.bulk_job_run",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=BULK_TIME_LIMIT,
    soft_time_limit=BULK_TIME_LIMIT - 60,
)
def bulk_job_run_task(job_id: int) -> None:
    bulk_job_run(job_id=job_id)


@shared_task(  # type: ignore[untyped-decorator]
    name="provisioning.tasks.bulk_job_preview",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=1800,
    soft_time_limit=1740,
)
def bulk_job_preview_task(job_id: int) -> None:
    """Check every row of an upload (200,000 rows take seconds, LDAP lookups longer)."""
    bulk_job_preview(job_id=job_id)


@shared_task(name="provisioning.tasks.bulk_requeue_stale", ignore_result=True)  # type: ignore[untyped-decorator]
def bulk_requeue_stale() -> int:
    return len(bulk_jobs_requeue_stale())


@shared_task(name="provisioning.tasks.bulk_purge_exports", ignore_result=True)  # type: ignore[untyped-decorator]
def bulk_purge_exports() -> int:
    return bulk_exports_purge()
