"""gunicorn's entry point: `gunicorn dashboard.wsgi:server`."""

import contextlib
import ctypes

from dashboard import create_app

M_ARENA_MAX = -8  # glibc's mallopt parameter number
MALLOC_ARENAS = 2


def _limit_malloc_arenas() -> None:
    """glibc gives threads that allocate at once their own malloc arenas (up to 8 per
    core), each keeping its high-water mark; a worker runs 128 threads building ~100 KB
    answers (bench/wall_load.py measured the RSS with and without this)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: no such setting
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, MALLOC_ARENAS)


_limit_malloc_arenas()
app = create_app()
server = app.server

# Dash fills its script registry and callback map on a worker's first request, but marks
# that done before doing it, so requests on other threads meanwhile find them empty and
# answer 500 (plotly/dash#3971): a wall's first load after a deploy, when every screen
# reloads at once, would stay blank. Do that setup now, before this worker serves.
with server.test_request_context("/"):
    app._setup_server()  # noqa: SLF001 - no public way to run Dash's first-request setup
