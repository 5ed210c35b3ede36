"""gunicorn's entry point: `gunicorn dashboard.wsgi:server`."""

from dashboard import create_app

app = create_app()
server = app.server

# Dash fills its script registry and callback map on a worker's first request, but marks
# that done before doing it, so requests on other threads meanwhile find them empty and
# answer 500 (plotly/dash#3971): a wall's first load after a deploy, when every screen
# reloads at once, would stay blank. Do that setup now, before this worker serves.
with server.test_request_context("/"):
    app._setup_server()  # noqa: SLF001 - no public way to run Dash's first-request setup
