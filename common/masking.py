"""Masking of personal data (CONTRACT 3): phone numbers become e.g. `138****1234`.

One definition used by the live state, the API and the pages, so a number is never
shown whole by one of them and masked by another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Full-width digits read as ASCII ones, one character for one, so a match's span is the
# same in the original; full-width brackets, plus and separators are in the pattern.
_HALF_WIDTH = {0xFF10 + d: 0x30 + d for d in range(10)}
_FULL_WIDTH_DIGIT = re.compile("[\uff10-\uff19]")
_NOT_DIGIT = re.compile("[^0-9]")

# Phone-number-like text: a mainland mobile (1[3-9]x xxxx xxxx), or a landline with its
# 0-prefixed area code (optionally in brackets), either with a +86 / 0086 / 86 prefix;
# groups may be split by a space, hyphen or dot. Letters and CJK around a number do not
# protect it ("联系电话13800001234", "wx13700002222"); only a digit does, so longer runs
# of digits (ids, dates, 20261125123456) are left alone.
_SPACE = "[ \t\u3000]"
_SEP = f"(?:{_SPACE}?[-.‐‑–—－．]{_SPACE}?|{_SPACE})"
_OPEN, _CLOSE, _PLUS = "[(（]", "[)）]", "[+＋]"
_MOBILE = rf"1[3-9]\d(?:\d{{8}}|{_SEP}?\d{{4}}{_SEP}?\d{{4}})"
_SUBSCRIBER = rf"(?:\d{{7,8}}|\d{{3,4}}{_SEP}\d{{4}})"
_LANDLINE = rf"(?:{_OPEN}0\d{{2,3}}{_CLOSE}{_SPACE}?|0\d{{2,3}}{_SEP}?){_SUBSCRIBER}"
_COUNTRY = rf"(?:{_OPEN}?(?:{_PLUS}|00)86{_CLOSE}?{_SEP}?|86{_SEP}?)"
_ABROAD_LANDLINE = rf"(?:{_PLUS}|00)86{_SEP}?{_OPEN}?[1-9]\d{{1,2}}{_CLOSE}?{_SEP}?{_SUBSCRIBER}"
_PHONE = re.compile(
    rf"(?<!\d)(?:{_COUNTRY}?(?:{_MOBILE}|{_LANDLINE})|{_ABROAD_LANDLINE})(?!\d)", re.ASCII
)
# A run of the characters numbers are written with, long enough to hold one: found fast
# (a pattern led by a character set), so _PHONE reads only these runs, not every
# position of a long text (5-10x faster on Chinese reports).
_RUN = re.compile("[0-9(（+＋\uff10-\uff19][-0-9 \t\u3000.‐‑–—－．()（）+＋\uff10-\uff19]{9,}")

# Contract fields that are codes, ids or instants: never free text, never masked.
# `actor` is not among them: it is a person's name, and may carry a number.
_STRUCTURED = frozenset(
    {
        "event_id",
        "entity",
        "id",
        "status",
        "ts",
        "channel",
        "category",
        "town",
        "grid",
        "lat",
        "lon",
        "priority",
        "deadline",
        "department",
        "satisfaction",
        "level",
        "kind",
        "mediation_type",
        "mediator",
        "judicial_confirmation",
    }
)


def _half_width(text: str) -> str:
    return text.translate(_HALF_WIDTH) if _FULL_WIDTH_DIGIT.search(text) else text


def _digits(value: str) -> str:
    return _NOT_DIGIT.sub("", _half_width(value))


def mask_phone(value: str | None) -> str | None:
    """A phone number as `138****1234`: its first 3 and last 4 digits kept."""
    if value is None:
        return None
    digits = _digits(value)
    if digits.startswith("0086"):  # the country code: mobiles start 1, landlines 0
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) > 10:
        digits = digits[2:]
    if len(digits) < 8:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"


def mask_text(text: str | None) -> str | None:
    """Free text with every phone-number-like run masked (full-width digits too)."""
    if not text:
        return text
    out, done = [], 0
    for run in _RUN.finditer(text):
        read = _half_width(run.group(0))
        for match in _PHONE.finditer(read):
            start = run.start() + match.start()
            out += [text[done:start], mask_phone(match.group(0))]
            done = run.start() + match.end()
    return "".join(out) + text[done:] if out else text


def mask_fields(fields: Mapping[str, str], drop_phone: bool = False) -> dict[str, str]:
    """An event's fields with personal data masked: reporter_phone masked (or dropped),
    and phone-like text masked in the actor and every free-text field (title,
    description, note, reason, result, and fields the contract does not name)."""
    out = {}
    for name, value in fields.items():
        if name == "reporter_phone":
            if not drop_phone:
                out[name] = mask_phone(value)
        elif name in _STRUCTURED or not isinstance(value, str):
            out[name] = value
        else:
            out[name] = mask_text(value)
    return out
