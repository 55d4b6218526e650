"""Demo data for the embedded console: console users of each role, a licence total, pending
enrollments of every source and state, and a named demo companion app for QR codes. Safe to run
again: users get new passwords, enrollments are only added when there are none."""

import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import EndUser, User, UserType
from accounts.roles import ADMINISTRATOR, HELPDESK, ROLE_GRANTS, SUPER_HELPDESK
from audit.actor import Actor
from enrollment.models import Ownership, PendingEnrollment, Source, State
from enrollment.otp import OtpRule
from enrollment.services import pending_enrollment_create
from licensing.services import licence_counts, licence_release, licence_total_set
from provisioning.models import DEMO_COMPANION_NAME, DpcSettings, EnrollmentOption
from provisioning.qr.services import QrProvisioningError, QrSpec, qr_provisioning_create

DEMO_USERS = [
    ("admin", ADMINISTRATOR, "Ada", "Admin", True),
    ("superhelp", SUPER_HELPDESK, "Sam", "Super", False),
    ("helpdesk", HELPDESK, "Hal", "Desk", False),
]
END_USERS = [
    ("alice", "alice@example.com", "+491712345678"),
    ("bob", "bob@example.com", ""),
    ("carla", "carla@example.com", "+41791234567"),
    ("dave", "dave@example.com", "+4915112345678"),
    ("erin", "erin@example.com", ""),
    ("frank", "frank@example.com", "+393331234567"),
]


class Command(BaseCommand):
    help = "Fill the database with demo console users, a licence total and pending enrollments."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--password", help="Password for every demo console user (default: a new random one).")
        parser.add_argument("--licences", type=int, default=500, help="Licence total to set (default 500).")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or secrets.token_urlsafe(12)
        with transaction.atomic():
            self._users(password)
            self._end_users(password)
            actor = Actor.system("seed_demo")
            if licence_counts().total < options["licences"]:
                licence_total_set(total=options["licences"], actor=actor)
            # The companion app first: the QR-source enrollments are made as real QR codes.
            self._companion_app()
            if not PendingEnrollment.objects.exists():
                self._enrollments(actor)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Console logins:"))
        for username, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {role:<15} username: {username:<10} password: {password}")
        self.stdout.write("  (Two-step verification is required for Administrators by default: the admin sets up an "
                          "authenticator app at the first sign-in.)")
        self.stdout.write("Self-service portal (/portal/) end users:")
        self.stdout.write(f"  {', '.join(u for u, *_ in END_USERS)} with password: {password}")

    def _end_users(self, password: str) -> None:
        """Local end users who can sign in to the self-service portal (/portal/)."""
        for username, email, mobile in END_USERS:
            end_user, _ = EndUser.objects.get_or_create(
                username=username, user_type=UserType.LOCAL, defaults={"email": email, "mobile": mobile}
            )
            end_user.set_password(password)
            end_user.save(update_fields=["password"])

    def _users(self, password: str) -> None:
        for username, role, first, last, alerts in DEMO_USERS:
            group, _ = Group.objects.get_or_create(name=role)
            if not group.permissions.exists():
                raise SystemExit(f"The {role} role has no permissions: run 'manage.py migrate' first.")
            user, _ = User.objects.get_or_create(username=username, defaults={
                "first_name": first, "last_name": last, "email": f"{username}@onramp.example",
                "receive_email_alerts": alerts,
            })
            user.set_password(password)
            user.save()
            user.groups.set([group])
        assert set(ROLE_GRANTS) == {r for _, r, *_ in DEMO_USERS}

    def _companion_app(self) -> None:
        """A clearly named demo companion app (DPC), so Advanced QR-Code Provisioning can be tried
        at once; its download URL cannot resolve (.invalid), and the QR pages say no device can
        install it. Only when no companion app is configured: real settings are never replaced."""
        dpc = DpcSettings.load()
        if not (dpc.component_name or dpc.download_url or dpc.signature_checksum or dpc.package_checksum):
            dpc.name = DEMO_COMPANION_NAME
            dpc.component_name = "com.example.companion/.admin.CompanionAdminReceiver"
            dpc.download_url = "https://companion.demo.invalid/demo-companion.apk"
            dpc.signature_checksum = "ue8f2brSotiT6yi_GvtYccDAyAlo4Z1ApCUU2T7peWU="
            dpc.save()

    def _enrollments(self, actor: Actor) -> None:
        sources = [Source.SELF, Source.SINGLE, Source.BULK, Source.QR]
        ownerships = [Ownership.CORPORATE, Ownership.PERSONAL, Ownership.UNKNOWN]
        created = []
        for i, (username, email, mobile) in enumerate(END_USERS * 3):
            end_user, _ = EndUser.objects.get_or_create(
                username=username, user_type=UserType.LOCAL, defaults={"email": email, "mobile": mobile}
            )
            source = sources[i % len(sources)]
            if source == Source.QR:
                if qr_enrollment := self._qr_code(actor, username):
                    created.append(qr_enrollment)
                continue
            created.append(pending_enrollment_create(
                actor=actor, username=username, source=source, ownership=ownerships[i % 3], mobile=mobile,
                email=email, end_user=end_user,
            ).enrollment)
        expired, locked = created[1], created[2]
        licence_release(quantity=expired.reserved_licences, actor=actor, enrollment_token=expired.token,
                        username=expired.username, note="demo: expired")
        PendingEnrollment.objects.filter(pk=expired.pk).update(
            state=State.EXPIRED, reserved_licences=0, otp_expires_at=timezone.now() - timedelta(hours=2),
            expired_at=timezone.now() - timedelta(hours=1),
        )
        PendingEnrollment.objects.filter(pk=locked.pk).update(
            state=State.LOCKED, failed_attempts=5, locked_at=timezone.now()
        )

    def _qr_code(self, actor: Actor, username: str) -> PendingEnrollment | None:
        """A QR-source enrollment is made the way the console makes one, so the QR page lists its
        code. With an incomplete companion app no code can be made: then none, rather than bare
        QR-source enrollments that no QR code belongs to."""
        spec = QrSpec(option=EnrollmentOption.AUTOMATIC, locale="en_US", wifi=None, username=username,
                      usage_count=5, otp_rule=OtpRule(validity_hours=None))
        try:
            created = qr_provisioning_create(actor=actor, spec=spec)
        except QrProvisioningError as exc:
            self.stdout.write(self.style.WARNING(f"No demo QR code for {username}: {exc}"))
            return None
        return created.enrollment
