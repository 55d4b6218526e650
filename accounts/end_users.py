"""End users: the people who enroll devices. Local ones live only here (with a password hash);
LDAP ones authenticate against the directory and are mirrored here for their email and mobile.

End users are kept apart from console users (``accounts.User``): nothing here grants console
access.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import cache

import phonenumbers
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_variables

from accounts.ldap import LdapError, LdapUser, ldap_authenticate, ldap_enabled, ldap_lookup_user
from accounts.models import EndUser, UserType
from accounts.throttle import username_normalize
from lib.text import username_problem

logger = logging.getLogger(__name__)


class EndUserError(Exception):
    """A refusal a person can act on (unknown user, bad email or mobile); shown as it is."""


_MOBILE_TYPES = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})
_PHONE_TEXT = re.compile(r"[\d\s()./-]+")  # after its "+": digits, spaces, dashes, brackets, dots, slashes
_NOT_DIGIT = re.compile(r"\D")


def _reading(text: str, region: str | None, *, mobile_only: bool) -> str:
    """``text`` read in ``region`` (None: it carries its "+"), as E.164; "" when that is not a valid number
    (not a valid mobile number, with ``mobile_only``)."""
    if region is None and _PLAIN_INTERNATIONAL.fullmatch(text):
        fast = _international_reading(_NOT_DIGIT.sub("", text), mobile_only=mobile_only)
        if fast is not None:
            return fast
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    if mobile_only and phonenumbers.number_type(number) not in _MOBILE_TYPES:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# "+" and ASCII digits with spaces, brackets, dots, slashes or dashes (what nearly every sheet holds):
# phonenumbers.parse reads such a text exactly as "+" and its digits (the punctuation is dropped; no
# extension, letter or second number can be in it), so ``_international_reading`` may decide it.
_PLAIN_INTERNATIONAL = re.compile(r"[( ]*\+[0-9 ()./-]+")
# The types phonenumbers' _number_type_helper tries before fixed line and mobile, in its order.
_EARLY_TYPES = (("premium_rate", phonenumbers.PhoneNumberType.PREMIUM_RATE),
                ("toll_free", phonenumbers.PhoneNumberType.TOLL_FREE),
                ("shared_cost", phonenumbers.PhoneNumberType.SHARED_COST), ("voip", phonenumbers.PhoneNumberType.VOIP),
                ("personal_number", phonenumbers.PhoneNumberType.PERSONAL_NUMBER),
                ("pager", phonenumbers.PhoneNumberType.PAGER), ("uan", phonenumbers.PhoneNumberType.UAN),
                ("voicemail", phonenumbers.PhoneNumberType.VOICEMAIL))
_Matcher = Callable[[str], bool]


def _international_reading(digits: str, *, mobile_only: bool) -> str | None:
    """What ``_reading("+" + digits, None, ...)`` answers, decided from phonenumbers' own metadata with its
    patterns compiled once (parsing and typing one number through phonenumbers costs ~40 µs, which made
    the mobile column most of a bulk preview); None when this cannot decide it the same way (a country
    code several regions share, a national prefix or leading zero parse might strip, odd lengths): then
    phonenumbers itself reads it. Tests compare both readings over many numbers of every country code."""
    if not digits or digits[0] == "0":
        return None
    for size in (1, 2, 3):  # phonenumbers' _extract_country_code: the shortest known prefix
        country_code = int(digits[:size])
        if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None
    national = digits[size:]
    number_type = _number_typer(country_code)
    if number_type is None or not 2 <= len(national) <= 17 or national[0] == "0":
        return None
    kind = number_type(national)
    if kind is None:
        return None
    if kind == phonenumbers.PhoneNumberType.UNKNOWN or (mobile_only and kind not in _MOBILE_TYPES):
        return ""
    return "+" + digits


@cache
def _number_typer(country_code: int) -> Callable[[str], int | None] | None:
    """For a country code of one region: the national number's type as phonenumbers' _number_type_helper
    gives it (UNKNOWN: not a valid number), or None when parse might first strip a national prefix."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[country_code]
    if len(regions) != 1 or regions[0] == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
        return None
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(regions[0], None)
    if metadata is None or metadata.country_code != country_code:
        return None
    prefix = re.compile(metadata.national_prefix_for_parsing) if metadata.national_prefix_for_parsing else None
    general = _desc_matcher(metadata.general_desc)
    early = [(kind, _desc_matcher(getattr(metadata, name))) for name, kind in _EARLY_TYPES]
    fixed, mobile = _desc_matcher(metadata.fixed_line), _desc_matcher(metadata.mobile)
    same = bool(metadata.same_mobile_and_fixed_line_pattern)

    def number_type(national: str) -> int | None:
        if prefix is not None and prefix.match(national):
            return None
        if not general(national):
            return phonenumbers.PhoneNumberType.UNKNOWN
        for kind, matches in early:
            if matches(national):
                return kind
        if fixed(national):
            return phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE if same or mobile(national) \
                else phonenumbers.PhoneNumberType.FIXED_LINE
        if not same and mobile(national):
            return phonenumbers.PhoneNumberType.MOBILE
        return phonenumbers.PhoneNumberType.UNKNOWN

    return number_type


def _desc_matcher(desc: phonenumbers.PhoneNumberDesc | None) -> _Matcher:
    # phonenumbers' _is_number_matching_desc: a length it lists, and the whole number matching its pattern.
    if desc is None or not desc.national_number_pattern:
        return lambda national: False
    lengths = frozenset(desc.possible_length or ())
    pattern = re.compile(desc.national_number_pattern)
    if not lengths:
        return lambda national: pattern.fullmatch(national) is not None
    return lambda national: len(national) in lengths and pattern.fullmatch(national) is not None


def mobile_readings(raw: str, region: str | None = None) -> tuple[list[str], str]:
    """Every E.164 number ``raw`` can be read as, international reading first, and why there is none.

    Decided by the digits, in ``region`` (default PHONE_DEFAULT_REGION) where a national reading is needed:
    - with "+" or a leading "00" (the international prefix): that number only;
    - with a leading 0 ("0171 2345678", "(0171) 2345678"): a national number, that one reading;
    - digits alone ("491712345678", as spreadsheets drop the plus): read both ways, with the country code
      in front and as a national number, and a reading counts only when it is a valid *mobile* number.
      Phone number plans accept almost any digits as some landline (+49 4917 1234567 for the cell
      above), which is how a spreadsheet's 491712345670 once became +49491712345670 and got the SMS.
    Spaces, dashes, dots, slashes and brackets are allowed; anything else (letters) is not a number."""
    text = (raw or "").strip()
    plus = text.lstrip("( ").startswith("+")
    body = text.replace("+", "", 1) if plus else text
    if not _PHONE_TEXT.fullmatch(body):
        return [], "is not a phone number"
    if plus:
        found = _reading(text, None, mobile_only=False)
        return ([found], "") if found else ([], "is not a valid phone number")
    digits = _NOT_DIGIT.sub("", body)
    if digits.startswith("0"):
        international = digits.startswith("00")
        found = _reading("+" + digits[2:], None, mobile_only=False) if international else \
            _reading(text, region or settings.PHONE_DEFAULT_REGION, mobile_only=False)
        return ([found], "") if found else ([], "is not a valid phone number")
    readings = [_reading("+" + digits, None, mobile_only=True),
                _reading(text, region or settings.PHONE_DEFAULT_REGION, mobile_only=True)]
    found_all = list(dict.fromkeys(r for r in readings if r))
    if found_all:
        return found_all, ""
    return [], "is not a valid mobile number, with or without a country code: write it with + and the country code"


def mobile_problem(raw: str, region: str | None = None) -> tuple[str, str]:
    """(E.164, "") for a mobile number that reads one way only (see ``mobile_readings``), ("", "")
    for blank input, else ("", why), the end of a sentence about the number."""
    if not (raw or "").strip():
        return "", ""
    readings, problem = mobile_readings(raw, region)
    if len(readings) == 1:
        return readings[0], ""
    if readings:
        return "", f"could be read as {readings[0]} or as {readings[1]}: write it with + and the country code"
    return "", problem


def mobile_e164(raw: str, region: str | None = None) -> str:
    """``raw`` as E.164 ("+491712345678"), read as ``mobile_readings`` says (national numbers in
    PHONE_DEFAULT_REGION); "" for blank input. Raises EndUserError for anything that is not a valid
    phone number or that could be two numbers. The one parser of every form, the bulk import and the
    services: E.164 in gives the same E.164 out."""
    e164, problem = mobile_problem(raw, region)
    if problem:
        raise EndUserError(_mobile_sentence(raw.strip(), problem, region))
    return e164


def _mobile_sentence(text: str, problem: str, region: str | None) -> str:
    """The refusal as a sentence in the active language (the portal's end user reads it in theirs)."""
    readings, _problem = mobile_readings(text, region)
    if len(readings) > 1:
        return gettext("“%(number)s” could be read as %(first)s or as %(second)s: write it with + and the country "
                       "code.") % {"number": text, "first": readings[0], "second": readings[1]}
    sentences = {
        "is not a phone number": gettext("“%(number)s” is not a phone number."),
        "is not a valid phone number": gettext("“%(number)s” is not a valid phone number."),
    }
    default = gettext("“%(number)s” is not a valid mobile number, with or without a country code: write it with + and "
                      "the country code.")
    return sentences.get(problem, default) % {"number": text}


def _email_checked(raw: str) -> str:
    email = (raw or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise EndUserError(f"“{email}” is not a valid email address.") from exc
    return email


def end_user_mirror_ldap(ldap_user: LdapUser) -> EndUser:
    """Create or refresh the EndUser of type LDAP for a directory entry. The directory wins for
    email, names and mobile; a mobile the directory holds in a form we cannot read is dropped
    (logged), not refused, so one odd entry does not block the person."""
    try:
        mobile = mobile_e164(ldap_user.mobile)
    except EndUserError:
        logger.warning("LDAP user %s has an unreadable mobile number; ignored", ldap_user.username)
        mobile = ""
    end_user, _ = EndUser.objects.update_or_create(
        user_type=UserType.LDAP,
        username=ldap_user.username,
        defaults={
            "email": ldap_user.email,
            "mobile": mobile,
            "first_name": ldap_user.first_name,
            "last_name": ldap_user.last_name,
        },
    )
    return end_user


@sensitive_variables()
def end_user_authenticate(username: str, password: str) -> EndUser | None:
    """The end user whose password checks: a local EndUser with a password first, else (when LDAP
    is configured) the directory, mirrored as an EndUser of type LDAP. None when neither accepts.
    An unreachable directory counts as "not accepted" (logged), so the portal answers.

    Every refusal costs one run of the password hasher, like an accepted password: an unknown
    username must not answer faster than a known one (that would tell which usernames exist)."""
    username = username_normalize(username)
    if not username or not password:
        return None
    local = EndUser.objects.filter(user_type=UserType.LOCAL, username=username, is_active=True).first()
    if local is not None and local.password:
        return local if local.check_password(password) else None
    if not ldap_enabled():
        make_password(password)  # what checking a real hash would cost
        return None
    try:
        ldap_user = ldap_authenticate(username, password)
    except LdapError:
        logger.exception("LDAP authentication of end user %s failed", username)
        return None
    if ldap_user is None:
        return None
    end_user = end_user_mirror_ldap(ldap_user)
    return end_user if end_user.is_active else None


def end_user_for_provisioning(*, username: str, user_type: str, email: str = "") -> EndUser:
    """The end user an enrollment is provisioned for.

    Local: the existing local EndUser; a missing one is created when ``email`` is given, else
    refused ("Unknown local user"); either way the name must follow the username rule
    (``lib.text``). LDAP: the directory entry, mirrored (refused when the directory does not
    know the user). Raises EndUserError; LdapError when the directory cannot be asked. Call
    inside the provisioning transaction so a later refusal rolls the new row back.
    """
    username = (username or "").strip()
    if not username:
        raise EndUserError("A username is required.")
    # A local name typed here may create the user: the console's rule (lib.text). An LDAP name is
    # the directory's own and only looked up.
    if problem := username_problem(username, lookup=user_type == UserType.LDAP):
        raise EndUserError(f"The username {problem}.")
    email = _email_checked(email)
    if user_type == UserType.LDAP:
        if not ldap_enabled():
            raise EndUserError("LDAP is not configured; provision a local user instead.")
        ldap_user = ldap_lookup_user(username)
        if ldap_user is None:
            raise EndUserError(f"Unknown LDAP user “{username}”.")
        return end_user_mirror_ldap(ldap_user)
    if user_type != UserType.LOCAL:
        raise EndUserError(f"Unknown user type “{user_type}”.")
    existing = EndUser.objects.filter(user_type=UserType.LOCAL, username=username).first()
    if existing is not None:
        return existing
    if not email:
        raise EndUserError(f"Unknown local user “{username}”: give an email address to create the user.")
    # get_or_create: two provisionings of the same new user at once end with one row.
    end_user, _ = EndUser.objects.get_or_create(user_type=UserType.LOCAL, username=username, defaults={"email": email})
    return end_user
