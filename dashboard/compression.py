"""Compressed responses and long-cached static files, the live stream left alone.

A first visit was 7.8 MB uncompressed (plotly.min.js alone 4.8 MB). Flask-Compress
compresses every compressible response (zstd, br or gzip, as the browser accepts) and
adds `Vary: Accept-Encoding`. Dash's component suites are fingerprinted (their URL
changes with the package version), so their compressed bytes are made once per worker
and kept; pages and callback answers are compressed afresh. Every URL that names its
version (a fingerprinted suite, an asset's `?m=` stamp, the favicon's `?v=`) is cached
by the browser for a year, so a repeat visit fetches none of them.

The Server-Sent Events route is never compressed: a compressor holds bytes back until
it has a block to emit, so the stream's small messages would wait in its buffer.
"""

from __future__ import annotations

from dash.fingerprint import check_fingerprint
from flask import Flask, Request, Response, request
from flask_compress import Compress

LONG_CACHE = "public, max-age=31536000, immutable"
SUITES = "/_dash-component-suites/"
NEVER_COMPRESSED = frozenset({"/live/stream"})
VERSION_ARGS = ("m", "v")  # Dash's stamp on /assets/ URLs, and on its favicon's


def is_versioned(req: Request) -> bool:
    """The URL names the version of what it serves, so its bytes never change."""
    if req.method not in ("GET", "HEAD"):
        return False
    if req.path.startswith(SUITES):
        return check_fingerprint(req.path)[1]
    return (req.path.startswith("/assets/") or req.path == "/_favicon.ico") and any(
        a in req.args for a in VERSION_ARGS
    )


class VersionedCache:
    """Flask-Compress's cache backend, holding only fingerprinted suites' compressed
    bytes (a bounded set: the installed packages' files); any other response's key is
    empty (`versioned_key`), and such keys are never stored."""

    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self._data.get(key)

    def set(self, key: str, value: bytes) -> None:
        if not key.endswith(";"):
            self._data[key] = value


def versioned_key(req: Request) -> str:
    return req.path if req.path.startswith(SUITES) and is_versioned(req) else ""


def register(server: Flask) -> None:
    server.config.update(
        COMPRESS_REGISTER=False,  # compress_and_cache below decides which responses
        COMPRESS_ALGORITHM=["zstd", "br", "gzip"],
        COMPRESS_CACHE_BACKEND=VersionedCache,
        COMPRESS_CACHE_KEY=versioned_key,
    )
    compress = Compress(server)

    def compress_and_cache(response: Response) -> Response:
        if request.path in NEVER_COMPRESSED or response.mimetype == "text/event-stream":
            return response
        if is_versioned(request) and response.status_code == 200:
            response.headers["Cache-Control"] = LONG_CACHE
        return compress.after_request(response)

    # Flask runs after-request hooks last registered first: this one goes first in the
    # list so it runs last, on the final body (wall_share keeps the plain answer).
    server.after_request_funcs.setdefault(None, []).insert(0, compress_and_cache)
