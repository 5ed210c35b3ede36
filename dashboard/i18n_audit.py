"""The audit page's strings (dashboard/pages/audit.py), in Simplified Chinese and English;
dashboard.i18n adds them to the one catalogue."""

from __future__ import annotations

AUDIT_STRINGS: dict[str, dict[str, str]] = {
    "nav.audit": {"zh": "审计日志", "en": "Audit log"},
    "audit.title": {"zh": "审计日志", "en": "Audit log"},
    "audit.intro": {
        "zh": "谁在何时以何种数据范围查看了个人信息、导出了什么、做了什么（按人按日）。",
        "en": "Who saw personal data, exported or did what, when, and with which scope "
        "(by person and day).",
    },
    "audit.admins_only": {
        "zh": "审计日志仅限管理员查看。",
        "en": "Only administrators may see the audit log.",
    },
    "audit.day": {"zh": "日期", "en": "Day"},
    "audit.person": {"zh": "人员", "en": "Person"},
    "audit.everyone": {"zh": "全部人员", "en": "Everyone"},
    "audit.show": {"zh": "查询", "en": "Show"},
    "audit.previous_day": {"zh": "← 前一天", "en": "← Previous day"},
    "audit.next_day": {"zh": "后一天 →", "en": "Next day →"},
    "audit.people_on": {"zh": "{day} 有记录的人员", "en": "People with records on {day}"},
    "audit.records_of": {"zh": "{person} 在 {day} 的记录", "en": "{person} on {day}"},
    "audit.none_on": {"zh": "{day} 没有审计记录。", "en": "No audit records on {day}."},
    "audit.none_of": {
        "zh": "{person} 在 {day} 没有审计记录。",
        "en": "No audit records of {person} on {day}.",
    },
    "audit.truncated": {
        "zh": "仅显示前 {count} 条，请用命令行查看全部。",
        "en": "Only the first {count} are shown; the CLI lists them all.",
    },
    "audit.col.person": {"zh": "人员", "en": "Person"},
    "audit.col.records": {"zh": "记录数", "en": "Records"},
    "audit.col.personal_data": {"zh": "查看个人信息", "en": "Personal data views"},
    "audit.col.exports": {"zh": "导出", "en": "Exports"},
    "audit.col.time": {"zh": "时间", "en": "Time"},
    "audit.col.action": {"zh": "操作", "en": "Action"},
    "audit.col.target": {"zh": "对象", "en": "What"},
    "audit.col.detail": {"zh": "说明", "en": "Detail"},
    "audit.col.scope": {"zh": "数据范围", "en": "Scope"},
    "audit.scope.county": {"zh": "全县", "en": "County"},
    "audit.scope.none": {"zh": "—", "en": "—"},
    "audit.action.view_personal_data": {"zh": "查看个人信息", "en": "Viewed personal data"},
    "audit.action.export": {"zh": "导出", "en": "Export"},
    "audit.action.sign_in": {"zh": "登录", "en": "Signed in"},
    "audit.action.sign_in_failed": {"zh": "登录失败", "en": "Sign-in failed"},
    "audit.action.sign_in_locked": {"zh": "登录被锁定", "en": "Sign-in locked"},
    "audit.action.sign_out": {"zh": "退出", "en": "Signed out"},
    "audit.action.escalate": {"zh": "升级", "en": "Escalated"},
    "audit.action.acknowledge": {"zh": "认领", "en": "Acknowledged"},
    "audit.action.merge": {"zh": "合并重复件", "en": "Merged a duplicate"},
    "audit.action.unmerge": {"zh": "撤销合并", "en": "Unmerged"},
    "audit.action.dismiss_duplicate": {"zh": "排除重复件", "en": "Dismissed a duplicate"},
    "audit.action.generate_bulletin": {"zh": "生成月度通报", "en": "Generated a bulletin"},
    "audit.action.user_created": {"zh": "新建账号", "en": "Created a user"},
    "audit.action.scope_changed": {"zh": "更改数据范围", "en": "Changed a scope"},
    "audit.action.kiosk_created": {"zh": "新建大屏", "en": "Created a kiosk"},
    "audit.action.kiosk_paired": {"zh": "大屏配对", "en": "Kiosk paired"},
    "audit.action.kiosk_scope_changed": {"zh": "更改大屏数据范围", "en": "Changed a kiosk's scope"},
    "audit.action.kiosk_revoked": {"zh": "停用大屏", "en": "Revoked a kiosk"},
}
