"""Scopes (CONTRACT 2, second edition): every user, kiosk and token sees the county, a set
of towns, or a set of departments, as if nothing else existed.

The scope a piece of work runs under is a context variable, set once where a request (or
a command) knows its caller and read by the data layer wherever it touches incidents or
disputes, so no page, callback or endpoint has to remember it. It has no default: code
that reads it without having set it fails loudly instead of silently seeing the county.
Processes that work for the whole county (ingest, the bulletin's generation, the CLI) say
so with `using(COUNTY)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

KINDS = ("county", "town", "department")


class ScopeError(ValueError):
    """A scope written wrongly (configuration, the CLI)."""


class OutOfScope(PermissionError):
    """A filter names a town or department outside the caller's scope (a 403)."""


@dataclass(frozen=True)
class Scope:
    kind: str = "county"
    codes: tuple[str, ...] = ()  # sorted, unique; empty for the county

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ScopeError(f"scope kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if (self.kind == "county") != (not self.codes):
            raise ScopeError("a town or department scope names at least one code")

    @property
    def is_county(self) -> bool:
        return self.kind == "county"

    @property
    def sees_disputes(self) -> bool:
        """Disputes belong to towns; a department scope sees none (CONTRACT 2)."""
        return self.kind != "department"

    def __str__(self) -> str:
        return self.kind if self.is_county else f"{self.kind}:{','.join(self.codes)}"


COUNTY = Scope()


def parse_scope(text: str) -> Scope:
    """`county`, `town:A,B` or `department:X` (the form CC_SCOPED_TOKENS and the CLI use)."""
    kind, _, codes = text.strip().partition(":")
    names = tuple(sorted({code.strip() for code in codes.split(",") if code.strip()}))
    if kind.strip() == "county" and codes.strip():
        raise ScopeError(f"the county scope names no codes: {text!r}")
    return Scope(kind.strip(), names)


def narrow(scope: Scope, towns: tuple[str, ...], departments: tuple[str, ...]):
    """The (towns, departments) filters a query under `scope` runs with: a filter of the
    scope's own kind must lie inside it (else OutOfScope) and defaults to the whole scope;
    a filter of the other kind narrows within it."""
    if scope.kind == "town":
        outside = sorted(set(towns) - set(scope.codes))
        if outside:
            raise OutOfScope(f"towns outside your scope: {', '.join(outside)}")
        return (tuple(towns) or scope.codes), tuple(departments)
    if scope.kind == "department":
        outside = sorted(set(departments) - set(scope.codes))
        if outside:
            raise OutOfScope(f"departments outside your scope: {', '.join(outside)}")
        return tuple(towns), (tuple(departments) or scope.codes)
    return tuple(towns), tuple(departments)


def contains(scope: Scope, town: str | None, department: str | None) -> bool:
    """Whether one incident (its town and department) lies inside `scope`."""
    if scope.kind == "town":
        return town in scope.codes
    if scope.kind == "department":
        return department in scope.codes
    return True


_current: ContextVar[Scope] = ContextVar("cc_scope")


def current() -> Scope:
    """The scope the running request or command works under; LookupError when nobody set
    one, so a forgotten scope is a failure, never the county."""
    return _current.get()


@contextmanager
def using(scope: Scope) -> Iterator[Scope]:
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def enter(scope: Scope):
    """Set the scope for the rest of this context (a request); returns the reset token."""
    return _current.set(scope)


def leave(token) -> None:
    _current.reset(token)


def parse_scoped_tokens(text: str) -> dict[str, Scope]:
    """CC_SCOPED_TOKENS: `TOKEN@town:A,B;TOKEN2@department:X;TOKEN3@county`."""
    tokens: dict[str, Scope] = {}
    for item in (part.strip() for part in text.split(";")):
        if not item:
            continue
        token, at, scope_text = item.rpartition("@")
        if not at or not token.strip():
            raise ScopeError(f"CC_SCOPED_TOKENS entry must be TOKEN@scope, got {item!r}")
        tokens[token.strip()] = parse_scope(scope_text)
    return tokens
