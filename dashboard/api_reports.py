"""GET /api/v1/reports (CONTRACT section 3, second edition): the monthly bulletins kept,
each the latest generation of its month as JSON, PDF or workbook, all rendered from the
one stored model (data_access.bulletin). Behind the same gate and limits as the API.

Scopes: every bulletin kept is the county's; a scoped caller is shown, in every form, only
their scope's units and no list of the other kind (data_access.bulletin.shown).
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, jsonify, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from common.clock import iso_local, now
from dashboard import api_params
from dashboard.api import require_auth, sql_unreachable
from dashboard.auth import audit_export
from dashboard.bulletin_pdf import PdfError, bulletin_pdf
from dashboard.bulletin_xlsx import bulletin_xlsx
from dashboard.context import read_engine, settings
from dashboard.i18n import LANGS
from data_access.bulletin import generations, shown

reports_bp = Blueprint("reports", __name__, url_prefix="/api/v1")
NAME = re.compile(r"^(\d{4}-(?:0[1-9]|1[0-2]))(?:\.(pdf|xlsx))?$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

for _unreachable in (OperationalError, InterfaceError, PoolTimeout):
    reports_bp.register_error_handler(_unreachable, sql_unreachable)


@reports_bp.errorhandler(api_params.BadParameter)
def bad_parameter(err: api_params.BadParameter):
    return jsonify(error=str(err)), 400


@reports_bp.get("/reports")
@require_auth
def list_reports():
    api_params.reject_unknown(request.args, set())
    tz = settings().tz
    kept = [
        {
            "month": g["month"],
            "generated_at": iso_local(g["generated_at"], tz),
            "generated_by": g["generated_by"],
        }
        for g in generations(read_engine())
    ]
    return jsonify(kept)


def _file(body: bytes, mimetype: str, filename: str) -> Response:
    audit_export(f"report {filename}", personal_data=False)  # every export is audited
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@reports_bp.get("/reports/<name>")
@require_auth
def get_report(name: str):
    found = NAME.match(name)
    if not found:
        return jsonify(error="a report is YYYY-MM, YYYY-MM.pdf or YYYY-MM.xlsx"), 400
    month, form = found[1], found[2]
    api_params.reject_unknown(request.args, {"lang"})  # the JSON is the same in both
    lang = request.args.get("lang", "zh")  # the bulletin is Chinese; ?lang=en for English
    if lang not in LANGS:
        return jsonify(error="lang is zh or en"), 400
    model = shown(read_engine(), month, settings().warn_hours, now())
    if model is None:
        return jsonify(error=f"no bulletin for {month}"), 404
    if form == "xlsx":
        return _file(bulletin_xlsx(model, lang), XLSX, f"bulletin-{month}.xlsx")
    if form == "pdf":
        try:
            return _file(bulletin_pdf(model, lang), "application/pdf", f"bulletin-{month}.pdf")
        except PdfError as err:
            return jsonify(error=f"the PDF cannot be printed here: {err}"), 503
    return jsonify(model)
