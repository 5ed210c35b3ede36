"""Credentials in SQL: people (argon2id password hashes), their API tokens, and kiosks
(wall screens), each person and kiosk with the scope it sees (common.scope; an API token
sees its person's, read at each request).

Secrets are random and high-entropy, so SHA-256 of them is stored; passwords are chosen
by people, so they get argon2id at OWASP's cost (m=19 MiB, t=2, p=1: memory-hard, yet
light enough for a web worker). Older hashes (werkzeug's scrypt) still verify and are
replaced by argon2id at the person's next sign-in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from common import clock
from common.scope import COUNTY, Scope, parse_scope
from data_access.models import ApiToken, Kiosk, User

ROLES = ("wall", "leader", "staff", "admin")
MIN_PASSWORD_LENGTH = 10
PAIRING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a phone
PAIRING_LENGTH = 10
ARGON2_PREFIX = "$argon2"
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Checked when the user is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password")
_USERS = User.__table__


class CredentialError(ValueError):
    """A request the credential store refuses; the message says why."""


@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str
    role: str
    disabled: bool
    session_version: int
    password_hash: str
    scope: Scope = COUNTY


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def _password_matches(stored: str, password: str) -> bool:
    if not stored.startswith(ARGON2_PREFIX):
        return check_password_hash(stored, password)  # a hash from before argon2id
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True for a hash made by an older method or at a lower cost than today's."""
    return not stored.startswith(ARGON2_PREFIX) or _HASHER.check_needs_rehash(stored)


def _check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CredentialError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def _record(row) -> UserRecord:
    return UserRecord(
        row.id,
        row.username,
        row.role,
        row.disabled,
        row.session_version,
        row.password_hash,
        parse_scope(row.scope),
    )


def create_user(
    engine: Engine, username: str, password: str, role: str, scope: Scope = COUNTY
) -> int:
    """A person seeing `scope` (its codes checked by the caller: data_access.scope_codes)."""
    if role not in ROLES:
        raise CredentialError(f"role must be one of {', '.join(ROLES)}")
    if not re.fullmatch(r"[\w.@-]{1,64}", username):
        raise CredentialError("a username is 1-64 letters, digits, '.', '@', '_' or '-'")
    _check_password_rules(password)
    at = clock.now()
    row = {
        "username": username,
        "password_hash": hash_password(password),
        "role": role,
        "disabled": False,
        "session_version": 0,
        "scope": str(scope),
        "created_at": at,
        "updated_at": at,
    }
    try:
        with engine.begin() as conn:
            return conn.execute(insert(User).values(**row).returning(User.id)).scalar_one()
    except IntegrityError:
        raise CredentialError(f"user {username!r} exists already") from None


def find_user(engine: Engine, username: str) -> UserRecord | None:
    with engine.connect() as conn:
        row = conn.execute(select(_USERS).where(User.username == username)).first()
    return None if row is None else _record(row)


def user_by_id(engine: Engine, user_id: int) -> UserRecord | None:
    with engine.connect() as conn:
        row = conn.execute(select(_USERS).where(User.id == user_id)).first()
    return None if row is None else _record(row)


def verify_password(user: UserRecord | None, password: str) -> bool:
    """True for an enabled user and the right password; as slow for an unknown user."""
    if user is None:
        _password_matches(_DUMMY_HASH, password)
        return False
    return _password_matches(user.password_hash, password) and not user.disabled


def rehash_password(engine: Engine, user: UserRecord, password: str) -> None:
    """Store today's hash of a password just verified; sessions go on (no version bump),
    and a hash changed meanwhile (a reset) is left alone."""
    with engine.begin() as conn:
        conn.execute(
            update(User)
            .where(User.id == user.id, User.password_hash == user.password_hash)
            .values(password_hash=hash_password(password))
        )


def end_sessions(engine: Engine, user_id: int) -> None:
    """Sign-out: every session cookie of the person stops working (session_version + 1)."""
    with engine.begin() as conn:
        conn.execute(
            update(User)
            .where(User.id == user_id)
            .values(session_version=User.session_version + 1, updated_at=clock.now())
        )


def _change_user(engine: Engine, username: str, **values) -> int:
    """Update a user and end their sessions (session_version + 1); returns the id."""
    values["session_version"] = User.session_version + 1
    values["updated_at"] = clock.now()
    with engine.begin() as conn:
        user_id = conn.execute(
            update(User).where(User.username == username).values(**values).returning(User.id)
        ).scalar_one_or_none()
    if user_id is None:
        raise CredentialError(f"no user {username!r}")
    return user_id


def set_disabled(engine: Engine, username: str, disabled: bool) -> int:
    return _change_user(engine, username, disabled=disabled)


def set_password(engine: Engine, username: str, password: str) -> int:
    _check_password_rules(password)
    return _change_user(engine, username, password_hash=hash_password(password))


def set_scope(engine: Engine, username: str, scope: Scope) -> int:
    """Change what a person sees; their sessions go on (the version stays) and carry the
    new scope from their next request after the shared status is dropped or expires."""
    with engine.begin() as conn:
        user_id = conn.execute(
            update(User)
            .where(User.username == username)
            .values(scope=str(scope), updated_at=clock.now())
            .returning(User.id)
        ).scalar_one_or_none()
    if user_id is None:
        raise CredentialError(f"no user {username!r}")
    return user_id


def list_users(engine: Engine) -> list[UserRecord]:
    with engine.connect() as conn:
        return [_record(r) for r in conn.execute(select(_USERS).order_by(User.username))]


# --- API tokens ---


def create_token(engine: Engine, username: str, name: str) -> tuple[int, str]:
    """A new bearer token for `username`; the token itself is shown once, never stored."""
    user = find_user(engine, username)
    if user is None:
        raise CredentialError(f"no user {username!r}")
    token = "cct_" + secrets.token_urlsafe(32)
    row = {
        "user_id": user.id,
        "name": name[:64],
        "token_hash": hash_secret(token),
        "created_at": clock.now(),
    }
    with engine.begin() as conn:
        token_id = conn.execute(insert(ApiToken).values(**row).returning(ApiToken.id))
        return token_id.scalar_one(), token


def revoke_token(engine: Engine, token_id: int) -> bool:
    with engine.begin() as conn:
        done = conn.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=clock.now())
        )
    return done.rowcount == 1


def user_for_token(engine: Engine, token: str) -> tuple[int, UserRecord] | None:
    """(token id, its enabled user) for a live token, else None."""
    query = (
        select(ApiToken.id.label("token_id"), _USERS)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == hash_secret(token),
            ApiToken.revoked_at.is_(None),
            User.disabled.is_(False),
        )
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else (row.token_id, _record(row))


def list_tokens(engine: Engine) -> list[dict]:
    query = (
        select(ApiToken.id, ApiToken.name, User.username, User.scope, ApiToken.created_at)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id)
    )
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


# --- Kiosks ---


def normalise_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", code.upper())


def create_kiosk(
    engine: Engine,
    name: str,
    created_by: str,
    valid_for: timedelta = timedelta(hours=24),
    scope: Scope = COUNTY,
) -> tuple[int, str]:
    """A kiosk showing `scope`, waiting to be paired, and its one-time pairing code (shown
    once)."""
    code = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_LENGTH))
    at = clock.now()
    row = {
        "name": name[:64],
        "pairing_code_hash": hash_secret(code),
        "pairing_expires_at": at + valid_for,
        "created_by": created_by[:64],
        "created_at": at,
        "scope": str(scope),
    }
    with engine.begin() as conn:
        kiosk_id = conn.execute(insert(Kiosk).values(**row).returning(Kiosk.id)).scalar_one()
    return kiosk_id, code


def pair_kiosk(engine: Engine, code: str) -> tuple[int, str, Scope] | None:
    """Spend a pairing code: (kiosk id, its new long-lived secret, its scope), or None if
    the code is unknown, used, expired or its kiosk revoked."""
    secret = secrets.token_urlsafe(32)
    at = clock.now()
    with engine.begin() as conn:
        row = conn.execute(
            update(Kiosk)
            .where(
                Kiosk.pairing_code_hash == hash_secret(normalise_code(code)),
                Kiosk.pairing_expires_at > at,
                Kiosk.revoked_at.is_(None),
            )
            .values(
                pairing_code_hash=None,
                pairing_expires_at=None,
                secret_hash=hash_secret(secret),
                paired_at=at,
            )
            .returning(Kiosk.id, Kiosk.scope)
        ).first()
    return None if row is None else (row.id, secret, parse_scope(row.scope))


def kiosk_credential(engine: Engine, kiosk_id: int) -> tuple[str, Scope] | None:
    """(the hash its secret must match, its scope) for a paired, unrevoked kiosk; else None."""
    query = select(Kiosk.secret_hash, Kiosk.scope).where(
        Kiosk.id == kiosk_id, Kiosk.revoked_at.is_(None), Kiosk.secret_hash.is_not(None)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else (row.secret_hash, parse_scope(row.scope))


def set_kiosk_scope(engine: Engine, kiosk_id: int, scope: Scope) -> bool:
    """Change what an unrevoked kiosk shows (paired or still waiting)."""
    with engine.begin() as conn:
        done = conn.execute(
            update(Kiosk)
            .where(Kiosk.id == kiosk_id, Kiosk.revoked_at.is_(None))
            .values(scope=str(scope))
        )
    return done.rowcount == 1


def revoke_kiosk(engine: Engine, kiosk_id: int) -> bool:
    with engine.begin() as conn:
        done = conn.execute(
            update(Kiosk)
            .where(Kiosk.id == kiosk_id, Kiosk.revoked_at.is_(None))
            .values(revoked_at=clock.now(), pairing_code_hash=None, secret_hash=None)
        )
    return done.rowcount == 1


def list_kiosks(engine: Engine) -> list[dict]:
    columns = (Kiosk.id, Kiosk.name, Kiosk.created_by, Kiosk.created_at, Kiosk.paired_at)
    query = select(*columns, Kiosk.revoked_at, Kiosk.pairing_expires_at, Kiosk.scope)
    query = query.order_by(Kiosk.id)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def pairing_open(kiosk: dict, at: datetime) -> bool:
    expires = kiosk["pairing_expires_at"]
    return expires is not None and expires > at and kiosk["revoked_at"] is None
