"""gunicorn's entry point: `gunicorn dashboard.wsgi:server`."""

import contextlib
import ctypes

import plotly.graph_objects as go
from _plotly_utils.optional_imports import get_module
from plotly.io.json import to_json_plotly

from dashboard import comparisons_ahead, create_app

M_ARENA_MAX = -8  # glibc's mallopt parameter number
MALLOC_ARENAS = 2


def _limit_malloc_arenas() -> None:
    """glibc gives threads that allocate at once their own malloc arenas (up to 8 per
    core), each keeping its high-water mark; a worker runs 128 threads building ~100 KB
    answers (bench/wall_load.py measured the RSS with and without this)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: no such setting
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, MALLOC_ARENAS)


# What plotly and Dash import only once a callback needs it: numpy and pandas when installed
# (plotly's validators load them on a figure's first array; they are bench dependencies,
# absent from the web tier's requirements), orjson and plotly.io's JSON encoder (Dash
# serialises every figure with it). Two threads of a cold gthread worker importing numpy
# at once made one of them fail "partially initialized module 'numpy'" (the leader page's
# channel chart): import them, and build and serialise one figure (which loads the
# default template and its trace classes), before this worker serves.
OPTIONAL_MODULES = ("numpy", "pandas", "orjson")


def _import_lazy_modules() -> None:
    for name in OPTIONAL_MODULES:
        get_module(name)  # as plotly loads it: None when not installed
    to_json_plotly(go.Figure(go.Pie(values=[1])))


_limit_malloc_arenas()
_import_lazy_modules()
app = create_app()
server = app.server

# Dash fills its script registry and callback map on a worker's first request, but marks
# that done before doing it, so requests on other threads meanwhile find them empty and
# answer 500 (plotly/dash#3971): a wall's first load after a deploy, when every screen
# reloads at once, would stay blank. Do that setup now, before this worker serves.
with server.test_request_context("/"):
    app._setup_server()  # noqa: SLF001 - no public way to run Dash's first-request setup

comparisons_ahead.start(server)  # each minute's comparisons, before it begins
