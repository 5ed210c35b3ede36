"""CSV export of the lists: GET /export/incidents.csv and /export/disputes.csv take the
lists' own URL parameters (dashboard.list_params), so an export holds exactly the rows
on screen, in their order. Streamed from a server-side cursor, so 100,000 rows cost the
web worker one batch of memory; UTF-8 with a BOM so Excel reads Chinese; names in the
chosen language next to the codes; personal data masked unless the role may see it;
every export audited (who, when, what, with which scope, masked or not); formula-like
cells quoted (dashboard.csv_safe). Bad parameters answer 400 with JSON."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import Blueprint, Response, jsonify, request

from common.clock import local_today, now
from dashboard import list_params
from dashboard.api_params import BadParameter
from dashboard.auth import audit_export
from dashboard.context import catalog, read_engine, settings
from dashboard.csv_safe import safe_row
from dashboard.i18n import lang_or_default, t
from dashboard.list_rows import (
    DISPUTE_CSV_COLUMNS,
    INCIDENT_CSV_COLUMNS,
    dispute_row,
    incident_csv_row,
)
from data_access.dispute_list import dispute_export
from data_access.incident_list import incident_export

export_bp = Blueprint("export", __name__, url_prefix="/export")

BOM = "\ufeff"
ROWS_PER_CHUNK = 500
HEADER_KEYS = {
    "hours_overdue": "incidents.col.hours_overdue_csv",
    "kind": "disputes.col.kind",
    "mediation_type": "disputes.col.mediation_type",
    "mediator": "disputes.col.mediator",
    "accepted_at": "disputes.col.accepted_at",
    "resolved_at": "disputes.col.resolved_at",
    "judicial_confirmation": "disputes.col.judicial_confirmation",
}


@export_bp.errorhandler(BadParameter)
def bad_parameter(err: BadParameter):
    return jsonify(error=str(err)), 400


def _label(column: str, lang: str) -> str:
    return t(HEADER_KEYS.get(column, f"incidents.col.{column}"), lang)


def header(columns: tuple[str, ...], lang: str) -> list[str]:
    """Column titles in `lang`; a code column is titled after its name column."""
    return [
        t("incidents.col.code", lang, name=_label(c.removesuffix("_code"), lang))
        if c.endswith("_code")
        else _label(c, lang)
        for c in columns
    ]


def csv_chunks(columns: tuple[str, ...], lang: str, rows: Iterator[dict]) -> Iterator[str]:
    """The BOM and header, then the rows, ROWS_PER_CHUNK per piece of the response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(header(columns, lang)))
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, 1):
        writer.writerow(safe_row(row[c] for c in columns))
        if n % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _download(name: str, chunks: Iterator[str]) -> Response:
    stamp = now().astimezone(settings().tz).strftime("%Y%m%d-%H%M")
    response = Response(chunks, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _target(kind: str) -> str:
    return f"{kind} export ?{request.query_string.decode('utf-8', 'replace')[:200]}"


@export_bp.get("/incidents.csv")
def incidents_csv():
    cfg, at = settings(), now()
    lang = lang_or_default(request.args.get("lang"), cfg.lang)
    q = list_params.incident_query(request.args, local_today(cfg.tz, at))
    sort = list_params.incident_sort(request.args)
    unmasked = audit_export(_target("incidents"))
    names, tz = catalog(), cfg.tz
    solved = (t("incidents.solved.yes", lang), t("incidents.solved.no", lang))
    rows = (
        incident_csv_row(row, names, lang, tz, at, unmasked, solved)
        for row in incident_export(read_engine(), q, at, cfg.warn_hours, sort, lang)
    )
    return _download("incidents", csv_chunks(INCIDENT_CSV_COLUMNS, lang, rows))


@export_bp.get("/disputes.csv")
def disputes_csv():
    cfg, at = settings(), now()
    lang = lang_or_default(request.args.get("lang"), cfg.lang)
    q = list_params.dispute_query(request.args, local_today(cfg.tz, at))
    sort = list_params.dispute_sort(request.args)
    audit_export(_target("disputes"), personal_data=False)
    names, tz = catalog(), cfg.tz
    yes_no = (t("disputes.yes", lang), t("disputes.no", lang))
    rows = (
        dispute_row(row, names, lang, tz, yes_no)
        for row in dispute_export(read_engine(), q, at, sort, lang)
    )
    return _download("disputes", csv_chunks(DISPUTE_CSV_COLUMNS, lang, rows))
