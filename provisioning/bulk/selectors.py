"""Reads for the Bulk Provision Users screens, scoped to the signed-in user."""

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import get_object_or_404

from accounts.models import User
from enrollment.models import PendingEnrollment
from provisioning.models import BulkJob

PERMISSION = "provisioning.bulk_provision"


def bulk_job_get(user: User | AnonymousUser, pk: int) -> BulkJob:
    """The job named in a URL, through the user's scope (404 when not visible)."""
    return get_object_or_404(BulkJob.objects.restrict(user), pk=pk)


def bulk_job_pending_count(job: BulkJob) -> int:
    """How many of the job's enrollments are still pending (not yet used by a device, not deleted)."""
    return PendingEnrollment.objects.filter(bulk_job_id=job.pk).count()
