"""Celery adapters for enrollment housekeeping (scheduled in CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from enrollment.expiry import enrollments_expire, enrollments_purge_expired


@shared_task(  # type: ignore[untyped-decorator]
    name="enrollment.tasks.expire_enrollments", time_limit=600, soft_time_limit=540, ignore_result=True
)
def expire_enrollments() -> int:
    return enrollments_expire()


@shared_task(  # type: ignore[untyped-decorator]
    name="enrollment.tasks.purge_expired_enrollments", time_limit=600, soft_time_limit=540, ignore_result=True
)
def purge_expired_enrollments() -> int:
    return enrollments_purge_expired()
