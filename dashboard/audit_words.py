"""An audit record's target and detail in the page's language (dashboard/pages/audit.py).

Records keep machine text, the same in every language and for the CLI: `incident P-1`,
`kiosk:7`, `incidents export ?town=T1`, `role=staff, unmasked`, `into=B score=0.82`. The
page names the known parts (kinds, keys, roles, masked or not) and leaves ids, values it
does not know and anything it cannot parse as they are, so nothing recorded is hidden.
"""

from __future__ import annotations

import re

from dashboard.i18n_audit import AUDIT_WORDS

_PAIR = re.compile(r"^(?P<key>[a-z_]+)=(?P<value>.*)$")


def _word(key: str, lang: str) -> str | None:
    found = AUDIT_WORDS.get(key)
    return found[lang if lang in found else "en"] if found else None


def target_words(target: str, lang: str) -> str:
    """`incident P-1` as 事件 P-1; `kiosk:7` as 大屏 7; `incidents export ?q` as 事件导出 ?q."""
    if target.startswith("kiosk:"):
        return f"{_word('target.kiosk', lang)} {target[len('kiosk:') :]}"
    kind, _, rest = target.partition(" ")
    if rest.startswith("export "):
        named = _word(f"export.{kind}", lang)
        return f"{named} {rest[len('export ') :]}" if named else target
    named = _word(f"target.{kind}", lang)
    if named is None:
        return target  # a user name, an address, a month: as recorded
    return f"{named} {rest}".strip()


def detail_words(detail: str, lang: str, scope_words) -> str:
    """Each `key=value` and bare word of a detail, named where known; `scope_words(text,
    lang)` names a scope value, and both sides of a change of scope (`town:A -> county`)."""
    before, arrow, after = detail.partition(" -> ")
    if arrow:
        return f"{scope_words(before, lang)} → {scope_words(after, lang)}"
    parts = []
    for item in re.split(r",\s*|\s+(?=[a-z_]+=|\()", detail.strip()) if detail.strip() else []:
        pair = _PAIR.match(item)
        if pair is None:
            parts.append(_word(f"detail.{item}", lang) or item)
            continue
        key, value = pair["key"], pair["value"]
        if key == "scope":
            value = scope_words(value, lang)
        elif key == "role":
            value = _word(f"role.{value}", lang) or value
        label = _word(f"key.{key}", lang)
        parts.append(f"{label}{'：' if lang == 'zh' else ': '}{value}" if label else item)
    return ("；" if lang == "zh" else "; ").join(parts)
