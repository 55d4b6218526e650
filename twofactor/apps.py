from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


class TwofactorConfig(AppConfig):
    name = "twofactor"
    verbose_name = "Two-step verification"

    def ready(self) -> None:
        post_save.connect(_password_saved, sender=settings.AUTH_USER_MODEL,
                          dispatch_uid="twofactor.password_saved")


def _password_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """Every save of a console user that sets a password (the console's user form, ``changepassword``,
    ``seed_demo``): Django's ``set_password`` keeps the new password in ``_password`` until that save is done.
    A set-up not finished then is dropped (``setup_unfinished_drop``)."""
    if not created and getattr(instance, "_password", None) is not None:
        from twofactor.services import setup_unfinished_drop

        setup_unfinished_drop(instance)
