"""Beat tasks of the integration API."""

from celery import shared_task

from integrations.api.idempotency import purge_expired


@shared_task(time_limit=300, soft_time_limit=270)  # type: ignore[untyped-decorator]
def purge_idempotent_creates() -> int:
    """Forget the first answers of idempotent creates once they are past their 24 hours."""
    return purge_expired()
