"""gunicorn's entry point: `gunicorn dashboard.wsgi:server`."""

from dashboard import create_app

app = create_app()
server = app.server
