"""Reads of Admin > Enrollment restrictions: the corporate identifiers a console user may see, as the
list pages them (``lib.pagination``: newest first) and as the export streams them."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.models import User
from lib.pagination import KeysetPage, keyset_page
from restrictions.models import CorporateIdentifier, IdentifierStatus


def identifiers_filtered(
    user: User | AnonymousUser, *, search: str = "", status: str = ""
) -> QuerySet[CorporateIdentifier]:
    """The identifiers ``user`` may see that match the search (identifier or note) and status, with
    their devices."""
    identifiers = CorporateIdentifier.objects.restrict(user).search(search)
    if status in IdentifierStatus.values:
        identifiers = identifiers.filter(status=status)
    return identifiers.select_related("device")


def identifier_list_page(
    user: User | AnonymousUser, *, search: str = "", status: str = "", position: str = "", page_size: int = 25
) -> KeysetPage[CorporateIdentifier]:
    """The page at ``position`` of the identifiers ``user`` may see, newest first."""
    return keyset_page(identifiers_filtered(user, search=search, status=status), key="created_at", descending=True,
                       position=position, page_size=page_size)
