"""Masking of personal data (CONTRACT 3): phone numbers become e.g. `138****1234`.

One definition used by the live state, the API and the pages, so a number is never
shown whole by one of them and masked by another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Phone-number-like text: a mainland mobile (optionally +86), or a landline with its
# 0-prefixed area code; digits may be grouped with spaces or hyphens. Runs of digits
# glued to other digits or letters (ids, dates like 20261125) are left alone.
_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)?86[ -]?)?"
    r"(?:1[3-9]\d(?:[ -]?\d){8}|0\d{2,3}[ -]?\d{7,8})"
    r"(?!\w)"
)

# Contract fields that are codes, ids or instants: never free text, never masked.
_STRUCTURED = frozenset(
    {
        "event_id",
        "entity",
        "id",
        "status",
        "ts",
        "actor",
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


def mask_phone(value: str | None) -> str | None:
    """A phone number as `138****1234`: its first 3 and last 4 digits kept."""
    if value is None:
        return None
    digits = re.sub(r"\D", "", value)
    if digits[:-11] in ("86", "0086") and digits[-11] == "1":
        digits = digits[-11:]  # drop the country code of a mobile
    if len(digits) < 8:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"


def mask_text(text: str | None) -> str | None:
    """Free text with every phone-number-like run masked."""
    if not text:
        return text
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


def mask_fields(fields: Mapping[str, str], drop_phone: bool = False) -> dict[str, str]:
    """An event's fields with personal data masked: reporter_phone masked (or dropped),
    and phone-like text masked in every free-text field (title, description, and fields
    the contract does not name)."""
    out = {}
    for name, value in fields.items():
        if name == "reporter_phone":
            if not drop_phone:
                out[name] = mask_phone(value)
        elif name in _STRUCTURED:
            out[name] = value
        else:
            out[name] = mask_text(value)
    return out
