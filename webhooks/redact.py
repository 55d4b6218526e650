"""What the delivery log keeps of a receiver's answer: a short excerpt, with anything that looks like
a secret masked. A receiver may echo headers or its own credentials into an error page; the log is
read by people who should not learn them."""

from __future__ import annotations

import re

EXCERPT_CHARS = 300
MASK = "(hidden)"

# "name": "value", name=value, name: value, for names that hold secrets (JSON, form and header style).
_NAMED = re.compile(
    r"""(?ix)
    (["']?(?:[\w-]*(?:password|passwd|secret|token|otp|api[_-]?key|authorization|signature|cookie)[\w-]*)["']?
     \s*[:=]\s*)
    ("[^"]*"|'[^']*'|[^\s,;&"'}]+)
    """)
# Bearer credentials, Standard Webhooks secrets and signatures, wherever they stand.
_BARE = re.compile(r"(?i)\b(?:bearer\s+[\w.~+/=-]+|whsec_[\w+/=-]+|v1,[A-Za-z0-9+/]{20,}={0,2})")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def redact(text: str) -> str:
    text = _BARE.sub(MASK, text)
    return _NAMED.sub(_masked, text)


def _masked(match: re.Match[str]) -> str:
    value = match.group(2)
    quote = value[0] if value[0] in "\"'" else ""
    return f"{match.group(1)}{quote}{MASK}{quote}"


def answer_excerpt(body: bytes) -> str:
    """The first EXCERPT_CHARS characters of an answer as text, secrets masked, control characters dropped."""
    text = _CONTROL.sub("", body.decode("utf-8", errors="replace"))
    # Redact more than is kept, so a secret cut at the edge of the excerpt is still recognised.
    shown = redact(text[:EXCERPT_CHARS * 4])
    return shown[:EXCERPT_CHARS] + ("…" if len(shown) > EXCERPT_CHARS else "")
