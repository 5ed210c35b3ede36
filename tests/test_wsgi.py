"""gunicorn, as the Procfile starts it, serves a page's scripts from its very first
requests on: after a deploy every wall reloads at once, onto fresh workers."""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from tests.servers import free_port, stop_process_group, web_process

SCRIPT = "/_dash-component-suites/dash/deps/react@18.3.1.min.js"
AT_ONCE = 64
STARTS = 3  # the race is timing-bound: each fresh start is one more chance to lose it


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - localhost
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_concurrent_first_requests_all_get_their_scripts(settings, tmp_path):
    for _ in range(STARTS):
        port = free_port()
        web = web_process(settings, port, tmp_path / "web.log", warm=False)
        try:
            with ThreadPoolExecutor(AT_ONCE) as pool:
                url = f"http://127.0.0.1:{port}{SCRIPT}"
                statuses = list(pool.map(_status, [url] * AT_ONCE))
        finally:
            stop_process_group(web)
        assert statuses == [200] * AT_ONCE
