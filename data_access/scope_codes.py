"""Which codes a scope may name: the towns and departments of the master data, both its
files (a county's own, else the demo's) and the copy in SQL (which keeps codes the files
have since dropped), so a scope is never given a code nothing knows."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from common.scope import Scope, ScopeError
from data_access.masterdata import read_masterdata
from data_access.models import Department, Town

_TABLES = {"town": Town, "department": Department}


def known_codes(engine: Engine, masterdata_dir: Path, kind: str) -> set[str]:
    """Every code of `kind` ('town' or 'department') in the master data."""
    data = read_masterdata(masterdata_dir)
    rows = data.towns if kind == "town" else data.departments
    model = _TABLES[kind]
    with engine.connect() as conn:
        stored = set(conn.execute(select(model.code)).scalars())
    return {row["code"] for row in rows} | stored


def check_scope(engine: Engine, masterdata_dir: Path, scope: Scope) -> Scope:
    """`scope` itself when every code it names is known; else ScopeError naming them."""
    if scope.is_county:
        return scope
    known = known_codes(engine, masterdata_dir, scope.kind)
    unknown = [code for code in scope.codes if code not in known]
    if unknown:
        some = ", ".join(sorted(known)[:12]) + (" ..." if len(known) > 12 else "")
        raise ScopeError(
            f"unknown {scope.kind} code(s): {', '.join(unknown)} (the master data has: "
            f"{some or 'none'})"
        )
    return scope
