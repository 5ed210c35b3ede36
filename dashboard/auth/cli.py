"""Manage people, API tokens and kiosks: `python -m dashboard.auth.cli COMMAND ...`.

    create NAME --role wall|leader|staff|admin [--scope SCOPE]
                                                 a person (password asked, or --password-stdin)
    set-scope NAME SCOPE                         what a person (and their tokens) sees
    first-admin [NAME]                           an admin with a random password, if nobody exists
    disable NAME / enable NAME                   ends / restores their access and sessions
    reset NAME                                   a new password; ends their sessions
    list                                         people, their scopes and live API tokens
    token NAME [--name LABEL]                    a new API token for NAME, printed once
    token --revoke ID                            revoke an API token
    kiosk-pair SCREEN [--scope SCOPE] [--hours 24] [--url BASE]
                                                 a one-time pairing code for a wall screen
    kiosk-set-scope ID SCOPE                     what a wall screen shows
    kiosk-list                                   kiosks, their state and scope
    kiosk-revoke ID                              takes the screen off within a minute
    audit [--day YYYY-MM-DD] [--user NAME]       who has audit records on a day (default
                                                 today), or one person's records that day

SCOPE is `county` (the default), `town:CODE,CODE...` or `department:CODE,...`, with codes
from the master data (towns.csv, departments.csv). A changed scope applies to the
person's or screen's next request, open walls included.

Run it with the project's environment: `.venv/bin/python -m dashboard.auth.cli ...` from the
repository root. Configuration comes from the environment (common.config.load_settings);
every change is written to the audit log as done by `cli:<os user>`.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import socket
import sys
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from common import clock
from common.config import Settings, load_settings
from common.scope import COUNTY, Scope, ScopeError, parse_scope, using
from dashboard.auth import recheck
from data_access import audit as audit_log
from data_access import users
from data_access.audit import audit
from data_access.db import get_engine
from data_access.scope_codes import check_scope


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise users.CredentialError("the passwords differ")
    return first


def _user_changed(cfg: Settings, user_id: int) -> None:
    recheck.forget(cfg, recheck.user_key(user_id))


def _scope(cfg: Settings, engine: Engine, text: str) -> Scope:
    """A scope as written on the command line, its codes checked against the master data."""
    return check_scope(engine, cfg.masterdata_dir, parse_scope(text))


def _create(args, cfg: Settings, engine: Engine, actor: str) -> str:
    scope = _scope(cfg, engine, args.scope)
    user_id = users.create_user(engine, args.username, _password(args), args.role, scope)
    audit(engine, actor, "user_created", args.username, f"role={args.role} scope={scope}")
    return f"created {args.username} (id {user_id}, {args.role}, {scope})"


def _set_scope(args, cfg: Settings, engine: Engine, actor: str) -> str:
    scope = _scope(cfg, engine, args.scope)
    before = users.find_user(engine, args.username)
    _user_changed(cfg, users.set_scope(engine, args.username, scope))
    detail = f"{before.scope if before else '?'} -> {scope}"
    audit(engine, actor, "scope_changed", args.username, detail)
    return f"{args.username} now sees {scope} (from their next request)"


def _first_admin(args, cfg: Settings, engine: Engine, actor: str) -> str:
    """For a new installation (the demo's `make run`): an admin with a random password,
    printed once, only while nobody can sign in yet."""
    if users.list_users(engine):
        return "people exist already; nothing created"
    password = secrets.token_urlsafe(12)
    users.create_user(engine, args.username, password, "admin")
    audit(engine, actor, "user_created", args.username, "role=admin (first admin)")
    return f"sign in as {args.username} with password {password} (shown once)"


def _disable_or_enable(args, cfg: Settings, engine: Engine, actor: str) -> str:
    _user_changed(cfg, users.set_disabled(engine, args.username, args.command == "disable"))
    audit(engine, actor, f"user_{args.command}d", args.username)
    return f"{args.command}d {args.username}"


def _reset(args, cfg: Settings, engine: Engine, actor: str) -> str:
    _user_changed(cfg, users.set_password(engine, args.username, _password(args)))
    audit(engine, actor, "password_reset", args.username)
    return f"new password set for {args.username}; their sessions are ended"


def _list(args, cfg: Settings, engine: Engine, actor: str) -> str:
    lines = [
        f"{u.username:24} {u.role:8} {'disabled' if u.disabled else 'active':8} {u.scope}"
        for u in users.list_users(engine)
    ]
    lines += [
        f"token {t['id']:>4} {t['username']:24} {t['name']:16} {t['scope']}"
        for t in users.list_tokens(engine)
    ]
    return "\n".join(lines) or "no users"


def _token(args, cfg: Settings, engine: Engine, actor: str) -> str:
    if args.revoke is not None:
        if not users.revoke_token(engine, args.revoke):
            raise users.CredentialError(f"no live token {args.revoke}")
        audit(engine, actor, "token_revoked", f"token {args.revoke}")
        return f"revoked token {args.revoke}"
    if not args.username:
        raise users.CredentialError("give a username, or --revoke ID")
    token_id, token = users.create_token(engine, args.username, args.name)
    audit(engine, actor, "token_created", args.username, f"token {token_id}")
    return f"token {token_id} for {args.username} (shown once):\n{token}"


def site_url(cfg: Settings) -> str:
    """The address screens reach this site at: CC_PUBLIC_URL, else the web process's own
    bind address and port (this host's name when it listens on every interface)."""
    if cfg.public_url:
        return cfg.public_url.rstrip("/")
    host = socket.getfqdn() if cfg.host in ("0.0.0.0", "::", "") else cfg.host  # nosec B104
    return f"http://{host}:{cfg.port}"


def _kiosk_pair(args, cfg: Settings, engine: Engine, actor: str) -> str:
    scope = _scope(cfg, engine, args.scope)
    valid = timedelta(hours=args.hours)
    kiosk_id, code = users.create_kiosk(engine, args.screen, actor, valid, scope)
    audit(engine, actor, "kiosk_created", f"kiosk:{kiosk_id}", f"{args.screen} scope={scope}")
    base = (args.url or site_url(cfg)).rstrip("/")
    return (
        f"kiosk {kiosk_id} ({args.screen}, {scope}): pairing code {code}, "
        f"valid {args.hours:g} h\n"
        f"open once on the screen and press Pair: {base}/kiosk/pair?code={code}"
    )


def _kiosk_state(kiosk: dict, at: datetime) -> str:
    if kiosk["revoked_at"]:
        return "revoked"
    if kiosk["paired_at"]:
        return "paired"
    return "waiting" if users.pairing_open(kiosk, at) else "code expired"


def _kiosk_list(args, cfg: Settings, engine: Engine, actor: str) -> str:
    at = clock.now()
    rows = [
        f"{k['id']:>4} {k['name']:32} {_kiosk_state(k, at):12} {k['scope']:24} by {k['created_by']}"
        for k in users.list_kiosks(engine)
    ]
    return "\n".join(rows) or "no kiosks"


def _kiosk_revoke(args, cfg: Settings, engine: Engine, actor: str) -> str:
    if not users.revoke_kiosk(engine, args.kiosk_id):
        raise users.CredentialError(f"no live kiosk {args.kiosk_id}")
    recheck.forget(cfg, recheck.kiosk_key(args.kiosk_id))
    audit(engine, actor, "kiosk_revoked", f"kiosk:{args.kiosk_id}")
    return f"revoked kiosk {args.kiosk_id}; the screen goes off within a minute"


def _kiosk_set_scope(args, cfg: Settings, engine: Engine, actor: str) -> str:
    scope = _scope(cfg, engine, args.scope)
    if not users.set_kiosk_scope(engine, args.kiosk_id, scope):
        raise users.CredentialError(f"no live kiosk {args.kiosk_id}")
    recheck.forget(cfg, recheck.kiosk_key(args.kiosk_id))
    audit(engine, actor, "kiosk_scope_changed", f"kiosk:{args.kiosk_id}", f"scope={scope}")
    return f"kiosk {args.kiosk_id} now shows {scope} (from its next request)"


def _day(text: str | None, cfg: Settings) -> date:
    if text is None:
        return clock.local_today(cfg.tz)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise users.CredentialError(f"a day is YYYY-MM-DD, got {text!r}") from None


def _audit(args, cfg: Settings, engine: Engine, actor: str) -> str:
    """Who has records on a day, or one person's records that day (local time, CC_TZ)."""
    day = _day(args.day, cfg)
    if args.user is None:
        people = audit_log.people_on(engine, day, cfg.tz)
        lines = [
            f"{p['actor']:32} {p['records']:>6} records {p['personal_data']:>5} personal data"
            f" {p['exports']:>5} exports"
            for p in people
        ]
        return "\n".join(lines) or f"no audit records on {day}"
    rows = audit_log.day_of(engine, args.user, day, cfg.tz)
    lines = [
        f"{r['at'].astimezone(cfg.tz):%H:%M:%S} {r['action']:20} {r['scope'] or '-':24} "
        f"{r['target']} {r['detail']}".rstrip()
        for r in rows
    ]
    return "\n".join(lines) or f"no audit records of {args.user} on {day}"


COMMANDS = {
    "create": _create,
    "set-scope": _set_scope,
    "first-admin": _first_admin,
    "disable": _disable_or_enable,
    "enable": _disable_or_enable,
    "reset": _reset,
    "list": _list,
    "token": _token,
    "kiosk-pair": _kiosk_pair,
    "kiosk-list": _kiosk_list,
    "kiosk-revoke": _kiosk_revoke,
    "kiosk-set-scope": _kiosk_set_scope,
    "audit": _audit,
}


SCOPE_HELP = "county (default), town:CODE,... or department:CODE,..."


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m dashboard.auth.cli", description=__doc__)
    top.formatter_class = argparse.RawDescriptionHelpFormatter
    sub = top.add_subparsers(dest="command", required=True)

    def with_password(p: argparse.ArgumentParser) -> None:
        p.add_argument("--password-stdin", action="store_true", help="read it from stdin")

    create = sub.add_parser("create", help="add a person")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=users.ROLES)
    create.add_argument("--scope", default=str(COUNTY), help=SCOPE_HELP)
    with_password(create)
    set_scope = sub.add_parser("set-scope", help="change what a person sees")
    set_scope.add_argument("username")
    set_scope.add_argument("scope", help=SCOPE_HELP)
    first = sub.add_parser("first-admin", help="an admin with a random password, if none")
    first.add_argument("username", nargs="?", default="admin")
    for name in ("disable", "enable"):
        sub.add_parser(name).add_argument("username")
    reset = sub.add_parser("reset", help="set a new password")
    reset.add_argument("username")
    with_password(reset)
    sub.add_parser("list")
    token = sub.add_parser("token", help="create or revoke an API token")
    token.add_argument("username", nargs="?")
    token.add_argument("--name", default="api")
    token.add_argument("--revoke", type=int, metavar="ID")
    pair = sub.add_parser("kiosk-pair", help="a pairing code for a wall screen")
    pair.add_argument("screen", help="a name for the screen, e.g. 'hall-left'")
    pair.add_argument("--scope", default=str(COUNTY), help=SCOPE_HELP)
    pair.add_argument("--hours", type=float, default=24.0, help="code validity")
    pair.add_argument(
        "--url", help="the site's address (default: CC_PUBLIC_URL, else CC_HOST and PORT)"
    )
    sub.add_parser("kiosk-list")
    sub.add_parser("kiosk-revoke").add_argument("kiosk_id", type=int)
    kiosk_scope = sub.add_parser("kiosk-set-scope", help="change what a wall screen shows")
    kiosk_scope.add_argument("kiosk_id", type=int)
    kiosk_scope.add_argument("scope", help=SCOPE_HELP)
    audit_cmd = sub.add_parser("audit", help="the audit log by person and day")
    audit_cmd.add_argument("--day", help="YYYY-MM-DD, local (default today)")
    audit_cmd.add_argument("--user", help="a person's records that day (as named in the log)")
    return top


def main(argv: list[str] | None = None, cfg: Settings | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        cfg = cfg or load_settings()
        engine = get_engine(cfg.database_url)
        with using(COUNTY):  # the CLI works for the whole county (and audits as such)
            print(COMMANDS[args.command](args, cfg, engine, _actor()))
    except (users.CredentialError, ScopeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
