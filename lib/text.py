"""What text may be stored, what a name a person reads and types may hold, and what a username may
hold: one rule each, for the redeem API, every form and the importers.

- Storable text: no NUL (PostgreSQL text and jsonb refuse it, so psycopg raises DataError) and no
  lone surrogate (it has no UTF-8 form: UnicodeEncodeError). JSON carries both (``"\\u0000"``,
  ``"\\ud800"``); form data and decoded CSV files can carry NUL only. Django's form CharField
  already refuses NUL; the API and the importer call ``text_problem``.
- Names a person reads and types (usernames, corporate identifiers), besides: no control or format
  character (Unicode Cc and Cf: CR, LF, tab, bidi overrides, zero-width characters) and no line or
  paragraph separator (``invisible_problem``). ``SN\u202eABC`` shows as another serial number than
  the one stored, and no one can type it to search for it. A username also goes into mail headers
  (a CR/LF there makes every later admin alert fail with BadHeaderError), audit lines and LDAP
  filters. A username is at most 150 characters (the column).
- A username that is created here (a new local end user, an enrollment for a name no end user
  stands behind) follows the console's own rule (Django's UnicodeUsernameValidator): letters
  (accents included: Unicode L*, and combining marks M* after a letter), digits (Nd) and
  ``@ . + - _``, nothing else: no space, quote, ``=``, ``|`` or ``!``, so ``=cmd|' /C calc'!A0``
  is refused. It may not start with ``+``, ``-`` or ``@``: a spreadsheet reads such a cell as a
  formula, so the export would have to escape it and a script reading the export would get
  another name. Names that are looked up, not created (a sign-in, a directory's own names, an end
  user made before the rule) are held to the first rule only (``lookup=True``), so they keep working.
- Query strings: list filters and searches hand their parameters to the database as they are, so
  ``refuse_unstorable_query`` answers a GET holding a NUL with 400 before any view runs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
MAX_USERNAME = 150
USERNAME_PUNCTUATION = frozenset("@.+-_")
USERNAME_HELP = "Letters (accents too), digits and @ . + - _ only; not starting with @, + or -."


def text_problem(value: str) -> str:
    """Why ``value`` cannot be stored, as the end of a sentence about it ("contains a NUL
    character"), or "" when it can. In the active language: the end user's on their pages and in the
    redeem API (``problem_sentence``), English in the console."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return ""
    if found.group() == "\x00":
        return gettext("contains a NUL character")
    return gettext("is not valid Unicode (a lone surrogate)")


def invisible_problem(value: str) -> str:
    """Why ``value`` cannot be a name a person reads and types, as ``text_problem`` words it
    ("contains a control character (U+202E RIGHT-TO-LEFT OVERRIDE)"), or "": it holds a control or
    format character, a surrogate, or a line or paragraph separator."""
    if value.isprintable():  # none of those (nor other separators than the space): the common case, in C
        return ""
    for char in value:
        if unicodedata.category(char) in _INVISIBLE:
            return gettext("contains a control character (%(character)s)") % {"character": _char_name(char)}
    return ""


def problem_sentence(field: str, problem: str) -> str:
    """A sentence about ``field`` (a name such as ``device.model``) from a ``text_problem`` or
    ``invisible_problem`` ending, in the active language: "device.model contains a NUL character."."""
    return gettext("%(field)s %(problem)s.") % {"field": field, "problem": problem}


def shown(value: str) -> str:
    """``value`` with what ``invisible_problem`` refuses replaced by U+FFFD: for quoting a refused
    value in a message without a bidi override turning the text after it around."""
    return "".join("\ufffd" if unicodedata.category(char) in _INVISIBLE else char for char in value)


def username_problem(value: str, *, lookup: bool = False) -> str:
    """Why ``value`` cannot be a username, as ``text_problem`` words it, or "". ``lookup``: the
    name of someone who exists already (a sign-in, a directory entry), held only to what may be
    stored; otherwise the name is being created and the console's rule applies too."""
    problem = text_problem(value) or invisible_problem(value)
    if problem:
        return problem
    if len(value) > MAX_USERNAME:
        return f"is longer than {MAX_USERNAME} characters"
    if lookup:
        return ""
    if value[:1] in ("=", "+", "-", "@"):
        return (f"starts with “{value[0]}”, which a spreadsheet reads as a formula: start it with a letter "
                "or a digit")
    after_letter = False
    for char in value:
        category = unicodedata.category(char)
        if category[0] == "L" or (category[0] == "M" and after_letter):
            after_letter = True
            continue
        after_letter = False
        if category == "Nd" or char in USERNAME_PUNCTUATION:
            continue
        if category[0] == "M":
            shown = f"a combining mark that follows no letter ({_char_name(char)})"
        else:
            shown = "a space" if char == " " else f"“{char}”"
        return f"contains {shown}: use only letters, digits and @ . + - _"
    return ""


def storable(value: str) -> str:
    """``value`` with what ``text_problem`` refuses replaced by U+FFFD: for recording a refused
    value (an audit entry of a refusal) without failing on it."""
    return _UNSTORABLE.sub("\ufffd", value)


def validate_username(value: str) -> None:
    """The username rule for a name being created, as a form validator."""
    problem = username_problem(value)
    if problem:
        raise ValidationError(f"The username {problem}.", code="invalid_username")


def validate_username_lookup(value: str) -> None:
    """The username rule for a name that is looked up (sign-in, a directory user), as a form validator."""
    problem = username_problem(value, lookup=True)
    if problem:
        raise ValidationError(f"The username {problem}.", code="invalid_username")


View = Callable[[HttpRequest], HttpResponse]
JSON_PATHS = "/api/"


def refuse_unstorable_query(get_response: View) -> View:
    """Middleware: 400 with a message for a GET whose query string holds what ``text_problem``
    refuses (a NUL: %00); under /api/ as JSON in the APIs' error shape. Other methods are left to
    their forms and to the APIs, which answer in their own shape and read no query parameter of
    theirs into the database unchecked."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            for key, values in request.GET.lists():
                problem = next((p for p in map(text_problem, [key, *values]) if p), "")
                if problem:
                    detail = (f"Bad request: the parameter {storable(key)!r} in the address {problem}. Remove it and "
                              "try again.")
                    if request.path.startswith(JSON_PATHS):  # the APIs answer in the redeem API's JSON error shape
                        return JsonResponse({"error": "invalid_request", "detail": detail, "attempts_left": None},
                                            status=400)
                    return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware


def _char_name(char: str) -> str:
    names = {"\r": gettext("a carriage return"), "\n": gettext("a line feed"), "\t": gettext("a tab")}
    return names.get(char) or f"U+{ord(char):04X} {unicodedata.name(char, '')}".strip()
