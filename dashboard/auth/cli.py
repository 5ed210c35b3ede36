"""Manage people, API tokens and kiosks: `python -m dashboard.auth.cli COMMAND ...`.

    create NAME --role wall|leader|staff|admin   a person (password asked, or --password-stdin)
    first-admin [NAME]                           an admin with a random password, if nobody exists
    disable NAME / enable NAME                   ends / restores their access and sessions
    reset NAME                                   a new password; ends their sessions
    list                                         people and live API tokens
    token NAME [--name LABEL]                    a new API token for NAME, printed once
    token --revoke ID                            revoke an API token
    kiosk-pair SCREEN [--hours 24] [--url BASE]  a one-time pairing code for a wall screen
    kiosk-list                                   kiosks and their state
    kiosk-revoke ID                              takes the screen off within a minute

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
from datetime import datetime, timedelta

from sqlalchemy import Engine

from common import clock
from common.config import Settings, load_settings
from dashboard.auth import recheck
from data_access import users
from data_access.audit import audit
from data_access.db import get_engine


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


def _create(args, cfg: Settings, engine: Engine, actor: str) -> str:
    user_id = users.create_user(engine, args.username, _password(args), args.role)
    audit(engine, actor, "user_created", args.username, f"role={args.role}")
    return f"created {args.username} (id {user_id}, {args.role})"


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
        f"{u.username:24} {u.role:8} {'disabled' if u.disabled else 'active'}"
        for u in users.list_users(engine)
    ]
    lines += [
        f"token {t['id']:>4} {t['username']:24} {t['name']}" for t in users.list_tokens(engine)
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
    kiosk_id, code = users.create_kiosk(engine, args.screen, actor, timedelta(hours=args.hours))
    audit(engine, actor, "kiosk_created", f"kiosk:{kiosk_id}", args.screen)
    base = (args.url or site_url(cfg)).rstrip("/")
    return (
        f"kiosk {kiosk_id} ({args.screen}): pairing code {code}, valid {args.hours:g} h\n"
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
        f"{k['id']:>4} {k['name']:32} {_kiosk_state(k, at):12} by {k['created_by']}"
        for k in users.list_kiosks(engine)
    ]
    return "\n".join(rows) or "no kiosks"


def _kiosk_revoke(args, cfg: Settings, engine: Engine, actor: str) -> str:
    if not users.revoke_kiosk(engine, args.kiosk_id):
        raise users.CredentialError(f"no live kiosk {args.kiosk_id}")
    recheck.forget(cfg, recheck.kiosk_key(args.kiosk_id))
    audit(engine, actor, "kiosk_revoked", f"kiosk:{args.kiosk_id}")
    return f"revoked kiosk {args.kiosk_id}; the screen goes off within a minute"


COMMANDS = {
    "create": _create,
    "first-admin": _first_admin,
    "disable": _disable_or_enable,
    "enable": _disable_or_enable,
    "reset": _reset,
    "list": _list,
    "token": _token,
    "kiosk-pair": _kiosk_pair,
    "kiosk-list": _kiosk_list,
    "kiosk-revoke": _kiosk_revoke,
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m dashboard.auth.cli", description=__doc__)
    top.formatter_class = argparse.RawDescriptionHelpFormatter
    sub = top.add_subparsers(dest="command", required=True)

    def with_password(p: argparse.ArgumentParser) -> None:
        p.add_argument("--password-stdin", action="store_true", help="read it from stdin")

    create = sub.add_parser("create", help="add a person")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=users.ROLES)
    with_password(create)
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
    pair.add_argument("--hours", type=float, default=24.0, help="code validity")
    pair.add_argument(
        "--url", help="the site's address (default: CC_PUBLIC_URL, else CC_HOST and PORT)"
    )
    sub.add_parser("kiosk-list")
    sub.add_parser("kiosk-revoke").add_argument("kiosk_id", type=int)
    return top


def main(argv: list[str] | None = None, cfg: Settings | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        cfg = cfg or load_settings()
        engine = get_engine(cfg.database_url)
        print(COMMANDS[args.command](args, cfg, engine, _actor()))
    except users.CredentialError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
