"""One way to scope reads (NetBox's ``RestrictedQuerySet``): ``Model.objects.restrict(user)``.

Every model a person opens by URL has a queryset built on ``RestrictedQuerySet``; views,
selectors and the API read through ``restrict(user)``, and a view fetches the object named in its
URL with ``get_object_or_404(Model.objects.restrict(request.user), pk=...)``. ``console_view``
checks the permission for the page; ``restrict`` is the object-level guard under it.

Invariant: ``restrict(user)`` is every row when the user holds the model's view permission and
no row otherwise (no per-row rules yet: when one comes, it goes here, and every read follows).

It lives in ``config`` next to the other cross-app helpers (bulkinsert, spreadsheet) because it
imports no app: every app's models can import it without an import cycle.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self, TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model)


class RestrictedQuerySet(models.QuerySet[_M]):
    # "app_label.codename" that lets a user see the rows; None means "<app_label>.view_<model_name>".
    # Models guarded by a custom permission (a bulk job: provisioning.bulk_provision) declare it.
    view_permission: ClassVar[str | None] = None

    def permission_for(self, action: str = "view") -> str:
        meta = self.model._meta
        if action == "view" and self.view_permission:
            return self.view_permission
        return f"{meta.app_label}.{action}_{meta.model_name}"

    def restrict(self, user: Any, action: str = "view") -> Self:
        """The rows ``user`` may ``action``: all of them with the permission, none without."""
        if user is None or not user.has_perm(self.permission_for(action)):
            return self.none()
        return self
