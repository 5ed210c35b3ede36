"""Masking of personal data (CONTRACT 3): phone numbers become e.g. `138****1234`.

One definition used by the live state, the API and the pages, so a number is never
shown whole by one of them and masked by another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Full-width forms (U+FF01-FF5E, and the ideographic space) read as their ASCII
# counterparts, one character for one, so a match's span is the same in the original.
_HALF_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

# Phone-number-like text: a mainland mobile (1[3-9]x xxxx xxxx), or a landline with its
# 0-prefixed area code (optionally in brackets), either with a +86 / 0086 / 86 prefix;
# groups may be split by a space, hyphen or dot. Letters and CJK around a number do not
# protect it ("联系电话13800001234", "wx13700002222"); only a digit does, so longer runs
# of digits (ids, dates, 20261125123456) are left alone.
_SEP = r"(?:[ \t]?[-.‐‑–—][ \t]?|[ \t])"
_MOBILE = rf"1[3-9]\d(?:\d{{8}}|{_SEP}?\d{{4}}{_SEP}?\d{{4}})"
_SUBSCRIBER = rf"(?:\d{{7,8}}|\d{{3,4}}{_SEP}\d{{4}})"
_LANDLINE = rf"(?:\(0\d{{2,3}}\)[ \t]?|0\d{{2,3}}{_SEP}?){_SUBSCRIBER}"
_COUNTRY = rf"(?:\(?(?:\+|00)86\)?{_SEP}?|86{_SEP}?)"
_ABROAD_LANDLINE = rf"(?:\+|00)86{_SEP}?\(?[1-9]\d{{1,2}}\)?{_SEP}?{_SUBSCRIBER}"
_PHONE = re.compile(
    rf"(?<!\d)(?:{_COUNTRY}?(?:{_MOBILE}|{_LANDLINE})|{_ABROAD_LANDLINE})(?!\d)", re.ASCII
)

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


def _digits(value: str) -> str:
    return re.sub(r"[^0-9]", "", value.translate(_HALF_WIDTH))


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
    read = text.translate(_HALF_WIDTH)
    out, done = [], 0
    for match in _PHONE.finditer(read):
        out += [text[done : match.start()], mask_phone(match.group(0))]
        done = match.end()
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
