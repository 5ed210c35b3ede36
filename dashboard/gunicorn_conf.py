"""gunicorn's settings beside the Procfile's flags: `gunicorn -c python:dashboard.gunicorn_conf`.

- Logging: gunicorn's error and access logs use common/logging_setup.py's one-line,
  escaped format, as every other process does; the access log quotes the request line,
  the decoded path, the referer and the user agent (gunicorn escapes their quotes, the
  formatter every control character), so a path holding `%0d%0a` stays on its line.
- Each worker learns its thread count (CC_WEB_THREADS), which sizes its budget of live
  streams (dashboard/stream_limits.py), before it loads the app.
"""

from __future__ import annotations

import os

from gunicorn import glogging

from common.logging_setup import OneLineFormatter, OutageFilter, formatter, setup_logging

accesslog = "-"
access_log_format = '%(t)s %(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(U)s" "%(f)s" "%(a)s"'


class Logger(glogging.Logger):
    """gunicorn's own logs (errors, access) in the shared format and outage filter."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for found in self.error_log.handlers:
            found.setFormatter(formatter("web"))
            found.addFilter(OutageFilter())
        for found in self.access_log.handlers:  # the line is access_log_format's alone
            found.setFormatter(OneLineFormatter("%(message)s"))


logger_class = Logger


def on_starting(_server) -> None:
    setup_logging("web")


def post_fork(_server, worker) -> None:
    setup_logging("web")
    os.environ.setdefault("CC_WEB_THREADS", str(worker.cfg.threads))
