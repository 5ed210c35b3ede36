"""The bulletin page's one act: an admin generates a month's bulletin again (every
generation is kept; the page then shows the newest). Checked and audited on the server."""

from __future__ import annotations

from dash import Input, Output, State, dcc, html, no_update

from callbacks.declared import Declared
from common.assessment import AssessmentError
from common.clock import now
from dashboard.auth import current_principal
from dashboard.context import engine, mark_written, settings
from dashboard.i18n import t
from dashboard.ids import bulletins as ids
from data_access.audit import audit
from data_access.bulletin import BulletinError, generate

declared = Declared()
ADMIN = "admin"


@declared.callback(
    Output(ids.MESSAGE, "children"),
    Input(ids.GENERATE, "n_clicks"),
    State(ids.MONTH, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def generate_again(clicks: int | None, month: str, lang: str):
    if not clicks:
        return no_update
    principal = current_principal()
    if principal is None or principal.role != ADMIN:
        return t("bulletin.generate_not_allowed", lang)
    try:
        model = generate(engine(), settings(), month, principal.name, now())
    except (AssessmentError, BulletinError) as err:
        return t("bulletin.generate_failed", lang, error=str(err))
    audit(engine(), principal.name, "generate_bulletin", month)
    mark_written()  # the bulletin's page reads it back at once
    done = t("bulletin.generated_now", lang, at=model["generated_at"])
    link = dcc.Link(t("bulletin.show_new", lang), href=f"/bulletins?month={month}&lang={lang}")
    return html.Span([done, " ", link])


register = declared.register  # the app factory calls register(app)
