"""The audit page names each record's target and detail in its language; ids, names and
anything it does not know stay as recorded."""

from __future__ import annotations

import pytest

from dashboard.audit_words import detail_words, target_words


def scope_words(text: str, lang: str) -> str:
    return {"county": {"zh": "全县", "en": "County"}}.get(text, {}).get(lang, text)


@pytest.mark.parametrize(
    ("target", "zh", "en"),
    [
        ("incident P-1", "事件 P-1", "Incident P-1"),
        ("dispute D 9", "纠纷 D 9", "Dispute D 9"),
        ("kiosk:7", "大屏 7", "Kiosk 7"),
        ("incidents export ?town=T1", "事件导出 ?town=T1", "Incidents export ?town=T1"),
        ("report 2026-11.pdf", "报表 2026-11.pdf", "Report 2026-11.pdf"),
        ("alerts", "预警列表", "Alert list"),
        ("lihua", "lihua", "lihua"),  # a user name
        ("10.0.0.7", "10.0.0.7", "10.0.0.7"),  # an address
        ("weird export ?x", "weird export ?x", "weird export ?x"),
    ],
)
def test_targets(target, zh, en):
    assert (target_words(target, "zh"), target_words(target, "en")) == (zh, en)


@pytest.mark.parametrize(
    ("detail", "zh", "en"),
    [
        ("role=staff, unmasked", "角色：工作人员；未脱敏", "Role: Staff; Unmasked"),
        (
            "role=leader, no personal data",
            "角色：领导；不含个人信息",
            "Role: Leader; No personal data",
        ),
        (
            "into=B score=0.82 event_id=e1 stream_id=1-0",
            "并入：B；相似度：0.82；事件流 ID：e1；流条目：1-0",
            "Into: B; Score: 0.82; Event id: e1; Stream entry: 1-0",
        ),
        (
            "role=admin (first admin)",
            "角色：管理员；（首个管理员）",
            "Role: Administrator; (first admin)",
        ),
        ("Hall 2 scope=county", "Hall 2；数据范围：全县", "Hall 2; Scope: County"),
        ("town:A -> county", "town:A → 全县", "town:A → County"),
        ("odd=thing", "odd=thing", "odd=thing"),
        ("", "", ""),
    ],
)
def test_details(detail, zh, en):
    got = detail_words(detail, "zh", scope_words), detail_words(detail, "en", scope_words)
    assert got == (zh, en)
